package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestZipWriterBytes checks that the archive zipWriter writes, with worksheets deflated in
// advance and spooled, is byte for byte the archive archive/zip writes from the same parts.
func TestZipWriterBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var big strings.Builder
	for big.Len() < 3<<20 {
		fmt.Fprintf(&big, `<row r="%d"><c r="A1" t="inlineStr"><is><t>%x</t></is></c></row>`, big.Len(), rng.Uint64())
	}
	parts := map[string]string{ // in the order excelize might write them
		"xl/worksheets/sheet2.xml": big.String(),
		"xl/styles.xml":            "<styleSheet/>",
		"[Content_Types].xml":      "<Types/>",
		"xl/worksheets/sheet1.xml": "<worksheet/>",
		"xl/worksheets/sheet3.xml": "",
		"docProps/app.xml":         strings.Repeat("<Properties/>", 100),
	}
	order := []string{"xl/worksheets/sheet2.xml", "xl/styles.xml", "[Content_Types].xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet3.xml", "docProps/app.xml"}
	modified := time.Date(2022, 4, 13, 0, 0, 0, 0, time.UTC)

	var want bytes.Buffer
	zw := zip.NewWriter(&want)
	sorted := slices.Clone(order)
	slices.Sort(sorted) // "[" sorts before letters, so [Content_Types].xml comes first
	for _, name := range sorted {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, parts[name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}

	for _, limit := range []int{spoolMemory, 1 << 10, 0} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			defer func(old int) { spoolMemory = old }(spoolMemory)
			spoolMemory = limit
			var got bytes.Buffer
			z := newZipWriter(&got, modified, nil)
			for _, name := range order {
				w, err := z.Create(name)
				if err != nil {
					t.Fatal(err)
				}
				// excelize copies a part in pieces of varying size
				for s := parts[name]; len(s) > 0; {
					n := min(len(s), 1+rng.IntN(100_000))
					io.WriteString(w, s[:n])
					s = s[n:]
				}
			}
			if err := z.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("archive differs from archive/zip's: %d bytes, want %d", got.Len(), want.Len())
			}
			zr, err := zip.NewReader(bytes.NewReader(got.Bytes()), int64(got.Len()))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range zr.File {
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(rc)
				if err != nil || string(b) != parts[f.Name] {
					t.Errorf("%s does not read back: %v", f.Name, err)
				}
			}
		})
	}
}

// TestZipWriterTwice refuses a part written twice, spooled or not.
func TestZipWriterTwice(t *testing.T) {
	for _, name := range []string{"xl/worksheets/sheet1.xml", "xl/workbook.xml"} {
		z := newZipWriter(io.Discard, time.Time{}, nil)
		if _, err := z.Create(name); err != nil {
			t.Fatal(err)
		}
		if _, err := z.Create(name); err == nil {
			t.Errorf("%s: second Create succeeded", name)
		}
	}
}

// TestPutValuesStream patches as putValues does, whatever the size of the reader's buffer.
func TestPutValuesStream(t *testing.T) {
	sheet := `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="B1"><v>0.1</v></c></row>` +
		`<row r="2"><c r="A2"><v>1</v></c><c r="A20"><v>2</v></c><c r="B2" s="3"><v>0.30000000000000004</v></c></row></sheetData>`
	cells := []exactValue{{ref: "B1", value: "0.10000000000000001"}, {ref: "B2", value: "0.30000000000000004"}}
	want, err := putValues([]byte(sheet), cells)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{16, 64, 4096} {
		var got bytes.Buffer
		if err := putValuesStream(&got, bufio.NewReaderSize(strings.NewReader(sheet), size), cells); err != nil {
			t.Fatalf("buffer %d: %v", size, err)
		}
		if got.String() != string(want) {
			t.Errorf("buffer %d:\n got %s\nwant %s", size, got.String(), want)
		}
	}
	for _, bad := range []exactValue{{ref: "C9", value: "1"}, {ref: "A1", value: "1"}} {
		if err := putValuesStream(io.Discard, bufio.NewReader(strings.NewReader(sheet)), []exactValue{bad}); err == nil {
			t.Errorf("%s: no error", bad.ref)
		}
	}
}
