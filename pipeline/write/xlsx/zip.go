package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
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
//
// Worksheets, which hold nearly all the bytes (hundreds of megabytes of XML for a million
// rows), are deflated as they arrive and kept compressed, in memory while small and in an
// unlinked temporary file beyond spoolMemory; they are copied into the archive as they are.
// Every other part is small and kept as written, in parts.
type zipWriter struct {
	w        io.Writer
	modified time.Time
	exact    []exactValue
	names    []string
	parts    map[string]*bytes.Buffer
	spools   map[string]*spool
	open     *spool // the spool being written, closed by the next Create or by Close
}

func newZipWriter(w io.Writer, modified time.Time, exact []exactValue) *zipWriter {
	return &zipWriter{w: w, modified: modified, exact: exact, parts: map[string]*bytes.Buffer{}, spools: map[string]*spool{}}
}

// spooled says which parts are compressed as they arrive.
func spooled(name string) bool { return strings.HasPrefix(name, "xl/worksheets/") }

// Create starts a part.
func (z *zipWriter) Create(name string) (io.Writer, error) {
	if err := z.finish(); err != nil {
		return nil, err
	}
	if _, ok := z.parts[name]; ok {
		return nil, fmt.Errorf("zip part %s written twice", name)
	}
	if _, ok := z.spools[name]; ok {
		return nil, fmt.Errorf("zip part %s written twice", name)
	}
	z.names = append(z.names, name)
	if spooled(name) {
		sp, err := newSpool()
		if err != nil {
			return nil, err
		}
		z.spools[name], z.open = sp, sp
		return sp, nil
	}
	b := new(bytes.Buffer)
	z.parts[name] = b
	return b, nil
}

// finish closes the spool being written.
func (z *zipWriter) finish() error {
	if z.open == nil {
		return nil
	}
	err := z.open.finish()
	z.open = nil
	return err
}

// AddFS is not used by excelize when it writes a new workbook.
func (z *zipWriter) AddFS(fs.FS) error {
	return errors.New("zip writer: AddFS is not supported")
}

// Close writes the archive.
func (z *zipWriter) Close() error {
	defer func() {
		for _, sp := range z.spools {
			sp.release()
		}
	}()
	if err := z.finish(); err != nil {
		return err
	}
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
		if b, ok := z.parts[name]; ok {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: z.modified})
			if err != nil {
				return err
			}
			if _, err := w.Write(b.Bytes()); err != nil {
				return err
			}
			continue
		}
		sp := z.spools[name]
		w, err := zw.CreateRaw(rawHeader(name, z.modified, sp))
		if err != nil {
			return err
		}
		r, err := sp.compressed()
		if err != nil {
			return fmt.Errorf("zip part %s: %w", name, err)
		}
		if _, err := io.Copy(w, r); err != nil {
			return fmt.Errorf("zip part %s: %w", name, err)
		}
	}
	return zw.Close()
}

// rawHeader is the header archive/zip's CreateHeader writes for a deflated part, given here
// for a part deflated in advance, so that the archive is the same byte for byte: data
// descriptor, version 2.0, MS-DOS time and the extended timestamp.
func rawHeader(name string, modified time.Time, sp *spool) *zip.FileHeader {
	fh := &zip.FileHeader{
		Name:               name,
		Method:             zip.Deflate,
		Flags:              0x8, // data descriptor
		CreatorVersion:     20,
		ReaderVersion:      20,
		Modified:           modified,
		CRC32:              sp.crc,
		CompressedSize64:   uint64(sp.comp),
		UncompressedSize64: uint64(sp.raw),
	}
	if fh.CompressedSize64 > math.MaxUint32 || fh.UncompressedSize64 > math.MaxUint32 {
		fh.ReaderVersion = 45 // ZIP64, as CreateHeader records it
	}
	fh.ModifiedDate = uint16(modified.Day() + int(modified.Month())<<5 + (modified.Year()-1980)<<9)
	fh.ModifiedTime = uint16(modified.Second()/2 + modified.Minute()<<5 + modified.Hour()<<11)
	var ext [9]byte // extended timestamp: id, size, flags, modification time
	binary.LittleEndian.PutUint16(ext[0:], 0x5455)
	binary.LittleEndian.PutUint16(ext[2:], 5)
	ext[4] = 1
	binary.LittleEndian.PutUint32(ext[5:], uint32(modified.Unix()))
	fh.Extra = ext[:]
	return fh
}

// spoolMemory is how many compressed bytes of a part stay in memory before the part moves to
// a temporary file.
var spoolMemory = 8 << 20

// spool is one part, deflated as archive/zip deflates (level 5) while it is written.
type spool struct {
	fw   *flate.Writer
	mem  bytes.Buffer
	file *os.File // set once the part outgrows spoolMemory; unlinked, gone when closed
	crc  uint32
	raw  int64 // bytes written
	comp int64 // bytes after compression
}

func newSpool() (*spool, error) {
	sp := &spool{}
	fw, err := flate.NewWriter(spoolSink{sp}, 5)
	if err != nil {
		return nil, err
	}
	sp.fw = fw
	return sp, nil
}

// Write compresses p into the spool.
func (sp *spool) Write(p []byte) (int, error) {
	sp.crc = crc32.Update(sp.crc, crc32.IEEETable, p)
	sp.raw += int64(len(p))
	return sp.fw.Write(p)
}

// spoolSink receives the compressed bytes.
type spoolSink struct{ sp *spool }

func (s spoolSink) Write(p []byte) (int, error) {
	sp := s.sp
	sp.comp += int64(len(p))
	if sp.file == nil && sp.mem.Len()+len(p) > spoolMemory {
		f, err := os.CreateTemp("", "plandata-xlsx-*")
		if err != nil {
			return 0, err
		}
		os.Remove(f.Name()) // unlinked: nothing is left behind, whatever happens
		if _, err := f.Write(sp.mem.Bytes()); err != nil {
			f.Close()
			return 0, err
		}
		sp.file = f
		sp.mem = bytes.Buffer{}
	}
	if sp.file != nil {
		return sp.file.Write(p)
	}
	return sp.mem.Write(p)
}

func (sp *spool) finish() error { return sp.fw.Close() }

// compressed reads the deflated part.
func (sp *spool) compressed() (io.Reader, error) {
	if sp.file == nil {
		return bytes.NewReader(sp.mem.Bytes()), nil
	}
	if _, err := sp.file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return bufio.NewReaderSize(sp.file, 1<<20), nil
}

// patch returns a new spool holding the part with the values of cells put in, as putValues
// does, reading and writing it as a stream.
func (sp *spool) patch(cells []exactValue) (*spool, error) {
	r, err := sp.compressed()
	if err != nil {
		return nil, err
	}
	fr := flate.NewReader(r)
	defer fr.Close()
	out, err := newSpool()
	if err != nil {
		return nil, err
	}
	if err := putValuesStream(out, bufio.NewReaderSize(fr, 1<<20), cells); err != nil {
		out.finish()
		out.release()
		return nil, err
	}
	if err := out.finish(); err != nil {
		out.release()
		return nil, err
	}
	return out, nil
}

// putValuesStream copies sheet XML from r to w, replacing the value of each cell as
// putValues does; cells come in the order they appear in the sheet.
func putValuesStream(w io.Writer, r *bufio.Reader, cells []exactValue) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	for _, c := range cells {
		pat := []byte(`<c r="` + c.ref + `"`)
		for found := false; !found; {
			chunk, err := r.ReadSlice('<')
			if err == bufio.ErrBufferFull {
				bw.Write(chunk)
				continue
			}
			if err == io.EOF {
				return fmt.Errorf("cell %s not found", c.ref)
			}
			if err != nil {
				return err
			}
			bw.Write(chunk[:len(chunk)-1])
			if rest, _ := r.Peek(len(pat) - 1); !bytes.Equal(rest, pat[1:]) {
				bw.WriteByte('<')
				continue
			}
			found = true
		}
		// The cell, up to and including </c>: short, held whole.
		cell := []byte{'<'}
		for !bytes.HasSuffix(cell, []byte("</c>")) {
			chunk, err := r.ReadSlice('>')
			if err != nil && err != bufio.ErrBufferFull {
				return fmt.Errorf("cell %s not closed", c.ref)
			}
			cell = append(cell, chunk...)
		}
		vs, ve := bytes.Index(cell, []byte("<v>")), bytes.Index(cell, []byte("</v>"))
		if vs < 0 || ve < vs {
			return fmt.Errorf("cell %s has no value", c.ref)
		}
		bw.Write(cell[:vs+len("<v>")])
		bw.WriteString(c.value)
		bw.Write(cell[ve:])
	}
	if _, err := bw.ReadFrom(r); err != nil {
		return err
	}
	return bw.Flush()
}

func (sp *spool) release() {
	if sp.file != nil {
		sp.file.Close()
	}
	sp.file = nil
	sp.mem = bytes.Buffer{}
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
		if sp := z.spools[p]; ok && sp != nil {
			// A spooled part is patched as a stream into a new spool.
			patched, err := sp.patch(z.exact[start:end])
			if err != nil {
				return fmt.Errorf("sheet %s: %w", sheet, err)
			}
			sp.release()
			z.spools[p] = patched
			start = end
			continue
		}
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
	return sheetParts(func(name string) ([]byte, error) {
		b, ok := z.parts[name]
		if !ok {
			return nil, fmt.Errorf("no %s", name)
		}
		return b.Bytes(), nil
	})
}

// sheetParts maps sheet names to the paths of their parts, reading xl/workbook.xml and its
// relationships through part.
func sheetParts(part func(name string) ([]byte, error)) (map[string]string, error) {
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
	}{{"xl/workbook.xml", &wb}, {"xl/_rels/workbook.xml.rels", &rels}} {
		data, err := part(x.path)
		if err != nil {
			return nil, err
		}
		if err := xml.Unmarshal(data, x.v); err != nil {
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
