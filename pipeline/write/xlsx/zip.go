package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// zipTime is the time of every zip entry: the release date, or the earliest time a zip entry
// can carry when the date is earlier or unset.
func zipTime(d time.Time) time.Time {
	first := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	if d.Before(first) {
		return first
	}
	return d.UTC()
}

// zipWriter stands in for excelize's zip writer. excelize writes the parts of the workbook
// in an order that depends on map iteration; zipWriter keeps them and, on Close, writes them
// in a fixed order ([Content_Types].xml first, then by name), every entry with the same time,
// after putting back the exact digits of doubles excelize cut to 15.
type zipWriter struct {
	w        io.Writer
	modified time.Time
	exact    []exactValue
	names    []string
	parts    map[string]*bytes.Buffer
}

func newZipWriter(w io.Writer, modified time.Time, exact []exactValue) *zipWriter {
	return &zipWriter{w: w, modified: modified, exact: exact, parts: map[string]*bytes.Buffer{}}
}

// Create starts a part.
func (z *zipWriter) Create(name string) (io.Writer, error) {
	if _, ok := z.parts[name]; ok {
		return nil, fmt.Errorf("zip part %s written twice", name)
	}
	b := new(bytes.Buffer)
	z.parts[name] = b
	z.names = append(z.names, name)
	return b, nil
}

// AddFS is not used by excelize when it writes a new workbook.
func (z *zipWriter) AddFS(fs.FS) error {
	return errors.New("zip writer: AddFS is not supported")
}

// Close writes the archive.
func (z *zipWriter) Close() error {
	if err := z.putExact(); err != nil {
		return err
	}
	names := slices.Clone(z.names)
	slices.SortFunc(names, func(a, b string) int {
		const first = "[Content_Types].xml"
		switch {
		case a == first:
			return -1
		case b == first:
			return 1
		}
		return strings.Compare(a, b)
	})
	zw := zip.NewWriter(z.w)
	for _, name := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: z.modified})
		if err != nil {
			return err
		}
		if _, err := w.Write(z.parts[name].Bytes()); err != nil {
			return err
		}
	}
	return zw.Close()
}

// putExact rewrites the <v> of every cell in z.exact with its exact value.
func (z *zipWriter) putExact() error {
	if len(z.exact) == 0 {
		return nil
	}
	paths, err := z.sheetPaths()
	if err != nil {
		return err
	}
	for start := 0; start < len(z.exact); {
		sheet := z.exact[start].sheet
		end := start
		for end < len(z.exact) && z.exact[end].sheet == sheet {
			end++
		}
		p, ok := paths[sheet]
		if !ok || z.parts[p] == nil {
			return fmt.Errorf("no worksheet part for sheet %s", sheet)
		}
		b, err := putValues(z.parts[p].Bytes(), z.exact[start:end])
		if err != nil {
			return fmt.Errorf("sheet %s: %w", sheet, err)
		}
		z.parts[p] = bytes.NewBuffer(b)
		start = end
	}
	return nil
}

// sheetPaths maps sheet names to their parts, from the workbook and its relationships.
func (z *zipWriter) sheetPaths() (map[string]string, error) {
	const wbPath, relsPath = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	for _, x := range []struct {
		path string
		v    any
	}{{wbPath, &wb}, {relsPath, &rels}} {
		b, ok := z.parts[x.path]
		if !ok {
			return nil, fmt.Errorf("no %s", x.path)
		}
		if err := xml.Unmarshal(b.Bytes(), x.v); err != nil {
			return nil, fmt.Errorf("parse %s: %w", x.path, err)
		}
	}
	targets := map[string]string{}
	for _, r := range rels.Rels {
		if strings.HasPrefix(r.Target, "/") {
			targets[r.ID] = strings.TrimPrefix(r.Target, "/")
		} else {
			targets[r.ID] = path.Join("xl", r.Target)
		}
	}
	paths := map[string]string{}
	for _, s := range wb.Sheets {
		paths[s.Name] = targets[s.RID]
	}
	return paths, nil
}

// putValues replaces the value of each cell in sheet XML b; cells come in the order they
// appear in the sheet.
func putValues(b []byte, cells []exactValue) ([]byte, error) {
	var out bytes.Buffer
	pos := 0
	for _, c := range cells {
		i := bytes.Index(b[pos:], []byte(`<c r="`+c.ref+`"`))
		if i < 0 {
			return nil, fmt.Errorf("cell %s not found", c.ref)
		}
		i += pos
		end := bytes.Index(b[i:], []byte("</c>"))
		if end < 0 {
			return nil, fmt.Errorf("cell %s not closed", c.ref)
		}
		seg := b[i : i+end]
		vs, ve := bytes.Index(seg, []byte("<v>")), bytes.Index(seg, []byte("</v>"))
		if vs < 0 || ve < vs {
			return nil, fmt.Errorf("cell %s has no value", c.ref)
		}
		out.Write(b[pos : i+vs+len("<v>")])
		out.WriteString(c.value)
		pos = i + ve
	}
	out.Write(b[pos:])
	return out.Bytes(), nil
}
