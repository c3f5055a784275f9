// Package source reads the curated YAML files into the plan types, strictly, keeping the
// file, line and column of every value so that later stages can point at it.
package source

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/plandata/plandata/pipeline/plan"
)

// Limits bound what the loader accepts, so that a hostile or broken file fails fast.
type Limits struct {
	MaxFileBytes  int64 // one file
	MaxTotalBytes int64 // all files
	MaxDepth      int   // nesting of mappings and lists
	MaxNodes      int   // YAML nodes visited per file, aliases expanded
}

// DefaultLimits are generous for hand-edited files.
var DefaultLimits = Limits{
	MaxFileBytes:  8 << 20,
	MaxTotalBytes: 256 << 20,
	MaxDepth:      32,
	MaxNodes:      200_000,
}

// File is one loaded file, for the manifest.
type File struct {
	Path   string
	Bytes  int64
	SHA256 string
}

// Docs is everything read from a sources folder.
//
// Load fills it at once. For sources too large to hold at once, Open reads the reference files
// and lists the plan files; LoadPlan then reads one plan at a time and Drop forgets it again:
//
//	d, issues, err := source.Open(fsys, lim)
//	for _, p := range d.PlanPaths() {
//		pf, iss, err := d.LoadPlan(p)
//		... // use pf and d.Pos for pointers into it
//		d.Drop(pf)
//	}
//
// Files lists the files in the order they were read: the reference files in the order
// sources.yaml, agencies.yaml, regions.yaml, source-checks.yaml (as Open reads them), then the
// plans in the order LoadPlan read them. Calling LoadPlan once for every entry of PlanPaths,
// in that order, gives exactly the Files of Load. LoadPlan and Drop change d: they are not to
// run while another goroutine uses d.
type Docs struct {
	Sources  []plan.Source
	Agencies []plan.Agency
	Regions  []plan.Region
	Plans    []*plan.PlanFile   // filled by Load; LoadPlan leaves it alone
	Checks   []plan.SourceCheck // from source-checks.yaml, when present
	Files    []File

	pos   *positions                // the reference files, and the plans Load reads
	live  []planPositions           // the plans LoadPlan read and Drop has not forgotten, in load order
	paths map[*plan.PlanFile]string // the file each plan was read from

	fsys  fs.FS
	lim   Limits
	total int64    // bytes read so far, for MaxTotalBytes
	plans []string // the plan files, sorted
}

// planPositions are the positions of one plan read by LoadPlan, kept apart so that Drop can
// release them.
type planPositions struct {
	pf  *plan.PlanFile
	pos *positions
}

// Pos returns where the value behind the pointer p was read (for example &task.Deadline or
// &plan.Tasks[3]). The zero Pos means unknown, and so does a pointer into a plan that Drop
// forgot.
func (d *Docs) Pos(p any) plan.Pos {
	if d.pos != nil {
		if pos := d.pos.lookup(p); pos != (plan.Pos{}) {
			return pos
		}
	}
	for i := len(d.live) - 1; i >= 0; i-- {
		if pos := d.live[i].pos.lookup(p); pos != (plan.Pos{}) {
			return pos
		}
	}
	return plan.Pos{}
}

// PlanPath is the file a plan was read from ("" once Drop forgot it).
func (d *Docs) PlanPath(pf *plan.PlanFile) string { return d.paths[pf] }

// PlanPaths are the plan files in the order Load reads them: by name.
func (d *Docs) PlanPaths() []string { return slices.Clone(d.plans) }

// The fixed file names.
const (
	SourcesFile  = "sources.yaml"
	AgenciesFile = "agencies.yaml"
	RegionsFile  = "regions.yaml"
	ChecksFile   = "source-checks.yaml" // written by plandata check-sources; optional
	PlansDir     = "plans"
)

// Load reads every source file under fsys. Problems with the data are returned as issues,
// all of them; err is for failures that are not the data's fault.
//
// Load is Open followed by LoadPlan for every plan file, the plans kept in Plans (and their
// positions with those of the reference files, so that Pos stays as fast with all plans
// loaded as with one).
func Load(fsys fs.FS, lim Limits) (*Docs, []plan.Issue, error) {
	d, issues, err := open(fsys, lim)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range d.plans {
		pf, iss, err := d.loadPlan(p, d.pos)
		if err != nil {
			return nil, nil, err
		}
		issues = append(issues, iss...)
		if pf != nil {
			d.Plans = append(d.Plans, pf)
		}
	}
	sortIssues(issues)
	return d, issues, nil
}

// Open reads the reference files (sources, agencies, regions, checks) and lists the plan
// files, without reading the plans. Issues: walk issues (stray files, symlinks, unreadable
// folders), missing required files, and every problem in the reference files. err is for
// failures that are not the data's fault.
func Open(fsys fs.FS, lim Limits) (*Docs, []plan.Issue, error) {
	d, issues, err := open(fsys, lim)
	if err != nil {
		return nil, nil, err
	}
	sortIssues(issues)
	return d, issues, nil
}

// open is Open without the sorting of the issues.
func open(fsys fs.FS, lim Limits) (*Docs, []plan.Issue, error) {
	d := &Docs{pos: newPositions(), paths: map[*plan.PlanFile]string{}, fsys: fsys, lim: lim}
	var issues []plan.Issue

	refs, plans, walkIssues, err := list(fsys)
	if err != nil {
		return nil, nil, err
	}
	d.plans = plans
	issues = append(issues, walkIssues...)
	issues = append(issues, missing(refs)...)
	for _, p := range refs {
		b, iss, err := readFile(fsys, p, lim, &d.total)
		if err != nil {
			return nil, nil, err
		}
		if len(iss) > 0 {
			issues = append(issues, iss...)
			continue
		}
		d.Files = append(d.Files, fileOf(p, b))
		switch p {
		case SourcesFile:
			var f plan.SourcesFile
			issues = append(issues, decodeFile(p, b, &f, d.pos, lim)...)
			d.Sources = f.Sources
		case AgenciesFile:
			var f plan.AgenciesFile
			issues = append(issues, decodeFile(p, b, &f, d.pos, lim)...)
			d.Agencies = f.Agencies
		case RegionsFile:
			var f plan.RegionsFile
			issues = append(issues, decodeFile(p, b, &f, d.pos, lim)...)
			d.Regions = f.Regions
		case ChecksFile:
			var f plan.ChecksFile
			issues = append(issues, decodeFile(p, b, &f, d.pos, lim)...)
			d.Checks = f.Checks
		}
	}
	return d, issues, nil
}

// LoadPlan reads and decodes one plan file, path as listed by PlanPaths. It appends the file
// to Files, applies the limits (MaxTotalBytes counts everything read since Open), and keeps the
// positions of the plan's values, so that Pos works for pointers into the plan until Drop
// forgets it. Issues are those Load reports for the file, sorted by line and column. The plan
// is nil when the file could not be read at all (an issue says why); a plan with issues is
// returned as far as it could be decoded. Each plan file is to be loaded once; a path that is
// not a plan file of the folder is an error. It does not add the plan to Plans.
func (d *Docs) LoadPlan(path string) (*plan.PlanFile, []plan.Issue, error) {
	if d.fsys == nil {
		return nil, nil, errors.New("source: LoadPlan needs Docs made by Open")
	}
	if _, ok := slices.BinarySearch(d.plans, path); !ok {
		return nil, nil, fmt.Errorf("source: %s is not a plan file of the sources folder", path)
	}
	pos := newPositions()
	pf, issues, err := d.loadPlan(path, pos)
	if err != nil {
		return nil, nil, err
	}
	if pf != nil {
		d.live = append(d.live, planPositions{pf: pf, pos: pos})
	}
	sortIssues(issues)
	return pf, issues, nil
}

// loadPlan reads one plan file, recording the positions of its values in pos.
func (d *Docs) loadPlan(p string, pos *positions) (*plan.PlanFile, []plan.Issue, error) {
	b, iss, err := readFile(d.fsys, p, d.lim, &d.total)
	if err != nil {
		return nil, nil, err
	}
	if len(iss) > 0 {
		return nil, iss, nil
	}
	d.Files = append(d.Files, fileOf(p, b))
	f := &plan.PlanFile{}
	issues := decodeFile(p, b, f, pos, d.lim)
	pos.override(f, plan.Pos{File: p, Line: 1, Col: 1})
	d.paths[f] = p
	return f, issues, nil
}

// Drop forgets a plan read by LoadPlan: the positions of its values and its path are released,
// and Pos of a pointer into it returns the zero Pos from then on. Call it once done with the
// plan, including the issues that need its positions. A plan of Plans (read by Load) keeps its
// positions, which it shares with the other plans; Drop only forgets its path.
func (d *Docs) Drop(pf *plan.PlanFile) {
	for i := len(d.live) - 1; i >= 0; i-- {
		if d.live[i].pf == pf {
			d.live = slices.Delete(d.live, i, i+1)
			break
		}
	}
	delete(d.paths, pf)
}

// Hash lists the files a Load would read and returns them as Files (path, bytes, SHA-256), in
// the order Load would record them, to tell cheaply whether anything changed since a build. It
// parses nothing. ok is false when Load would report an issue that shows without parsing: a
// missing required file, a stray file or folder, a symbolic link, an unreadable, empty, too
// large or not UTF-8 file; the caller then loads in full to learn what. err is for failures
// that are not the data's fault.
func Hash(fsys fs.FS, lim Limits) (files []File, ok bool, err error) {
	refs, plans, issues, err := list(fsys)
	if err != nil {
		return nil, false, err
	}
	if len(issues) > 0 || len(missing(refs)) > 0 {
		return nil, false, nil
	}
	var total int64
	for _, p := range slices.Concat(refs, plans) {
		b, iss, err := readFile(fsys, p, lim, &total)
		if err != nil {
			return nil, false, err
		}
		if len(iss) > 0 {
			return nil, false, nil
		}
		files = append(files, fileOf(p, b))
	}
	return files, true, nil
}

func fileOf(p string, b []byte) File {
	sum := sha256.Sum256(b)
	return File{Path: p, Bytes: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
}

// missing returns an issue for every required file that is not among the reference files.
func missing(refs []string) []plan.Issue {
	var issues []plan.Issue
	for _, req := range []string{SourcesFile, AgenciesFile, RegionsFile} {
		if !slices.Contains(refs, req) {
			issues = append(issues, plan.Issue{Pos: plan.Pos{File: req, Line: 1, Col: 1}, Rule: "missing-file", Msg: "required file is missing"})
		}
	}
	return issues
}

// SortIssues puts issues gathered from Open and LoadPlan on d into the order Load returns
// them, in place, and returns them: first the files that are not plans (stray files, missing
// and reference files) in the order their first issue came in, then the plans in PlanPaths
// order; within a file, by line and column. Issues of Open followed by those of LoadPlan for
// every PlanPaths entry in order are already in that order; SortIssues makes it so whatever
// order the plans were loaded in.
func SortIssues(issues []plan.Issue, d *Docs) []plan.Issue {
	rank := map[string]int{}
	for _, is := range issues {
		if _, ok := rank[is.File]; ok {
			continue
		}
		if i, ok := slices.BinarySearch(d.plans, is.File); ok {
			rank[is.File] = len(issues) + i
		} else {
			rank[is.File] = len(rank)
		}
	}
	sortByRank(issues, rank)
	return issues
}

// sortByRank orders issues by the rank of their file, then by line and column.
func sortByRank(issues []plan.Issue, rank map[string]int) {
	slices.SortStableFunc(issues, func(a, b plan.Issue) int {
		if a.File != b.File {
			return rank[a.File] - rank[b.File]
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
}

// sortIssues puts the files in the order their first issue came in (the order they were read
// in); within a file, issues follow line and column.
func sortIssues(issues []plan.Issue) {
	fileOrder := map[string]int{}
	for _, is := range issues {
		if _, ok := fileOrder[is.File]; !ok {
			fileOrder[is.File] = len(fileOrder)
		}
	}
	sortByRank(issues, fileOrder)
}

// list returns the reference files in a fixed order, the plan files by name, and an issue for
// every file that does not belong in a sources folder.
func list(fsys fs.FS) (refs, plans []string, issues []plan.Issue, err error) {
	err = fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			issues = append(issues, plan.Issue{Pos: plan.Pos{File: p, Line: 1, Col: 1}, Rule: "unreadable", Msg: err.Error()})
			if e != nil && e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p == "." {
			return nil
		}
		if e.IsDir() {
			if p == PlansDir {
				return nil
			}
			issues = append(issues, plan.Issue{Pos: plan.Pos{File: p, Line: 1, Col: 1}, Rule: "stray-file", Msg: "unexpected folder; sources hold sources.yaml, agencies.yaml, regions.yaml, source-checks.yaml, plans/*.yaml and README.md"})
			return fs.SkipDir
		}
		if e.Type()&fs.ModeSymlink != 0 {
			// fs.FS implementations that resolve links report the target's type instead; a
			// link that is reported as such could not be resolved inside the folder.
			issues = append(issues, plan.Issue{Pos: plan.Pos{File: p, Line: 1, Col: 1}, Rule: "symlink", Msg: "symbolic links are not allowed in the sources folder; copy the file instead"})
			return nil
		}
		switch {
		case p == SourcesFile || p == AgenciesFile || p == RegionsFile || p == ChecksFile:
			refs = append(refs, p)
		case path.Dir(p) == PlansDir && path.Ext(p) == ".yaml":
			plans = append(plans, p)
		case p == "README.md":
		default:
			issues = append(issues, plan.Issue{Pos: plan.Pos{File: p, Line: 1, Col: 1}, Rule: "stray-file", Msg: "not a source file; sources hold sources.yaml, agencies.yaml, regions.yaml, source-checks.yaml, plans/*.yaml and README.md"})
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("list sources: %w", err)
	}
	order := map[string]int{SourcesFile: 0, AgenciesFile: 1, RegionsFile: 2, ChecksFile: 3}
	slices.SortFunc(refs, func(a, b string) int { return order[a] - order[b] })
	slices.Sort(plans)
	return refs, plans, issues, nil
}

func readFile(fsys fs.FS, p string, lim Limits, total *int64) ([]byte, []plan.Issue, error) {
	at := plan.Pos{File: p, Line: 1, Col: 1}
	f, err := fsys.Open(p)
	if err != nil {
		return nil, []plan.Issue{{Pos: at, Rule: "unreadable", Msg: err.Error()}}, nil
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, lim.MaxFileBytes+1))
	if err != nil {
		return nil, []plan.Issue{{Pos: at, Rule: "unreadable", Msg: err.Error()}}, nil
	}
	if int64(len(b)) > lim.MaxFileBytes {
		return nil, []plan.Issue{{Pos: at, Rule: "too-large", Msg: fmt.Sprintf("file is larger than %d bytes", lim.MaxFileBytes)}}, nil
	}
	*total += int64(len(b))
	if *total > lim.MaxTotalBytes {
		return nil, []plan.Issue{{Pos: at, Rule: "too-large", Msg: fmt.Sprintf("sources together are larger than %d bytes", lim.MaxTotalBytes)}}, nil
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, []plan.Issue{{Pos: at, Rule: "empty-file", Msg: "file is empty"}}, nil
	}
	if !utf8.Valid(b) {
		line, col := invalidUTF8At(b)
		return nil, []plan.Issue{{Pos: plan.Pos{File: p, Line: line, Col: col}, Rule: "encoding", Msg: "file is not valid UTF-8"}}, nil
	}
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		return nil, []plan.Issue{{Pos: at, Rule: "encoding", Msg: "file starts with a byte-order mark; save it as UTF-8 without BOM"}}, nil
	}
	return b, nil, nil
}

func invalidUTF8At(b []byte) (line, col int) {
	line, col = 1, 1
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		b = b[size:]
	}
	return line, col
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decodeFile parses one file and decodes it into out (a pointer to a file struct).
func decodeFile(p string, b []byte, out any, pos *positions, lim Limits) []plan.Issue {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return []plan.Issue{{Pos: plan.Pos{File: p, Line: 1, Col: 1}, Rule: "empty-file", Msg: "file is empty"}}
	} else if err != nil {
		return []plan.Issue{syntaxIssue(p, b, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return []plan.Issue{{Pos: plan.Pos{File: p, Line: extra.Line, Col: extra.Column}, Rule: "yaml-syntax", Msg: "a source file holds one YAML document; found a second"}}
	} else if !errors.Is(err, io.EOF) {
		return []plan.Issue{syntaxIssue(p, b, err)}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		if root.Value == "" { // only a document start and comments
			return []plan.Issue{{Pos: plan.Pos{File: p, Line: 1, Col: 1}, Rule: "empty-file", Msg: "file is empty"}}
		}
		return []plan.Issue{{Pos: plan.Pos{File: p, Line: root.Line, Col: root.Column}, Rule: "wrong-type", Msg: "expected a mapping, found null"}}
	}
	d := &decoder{file: p, pos: pos, fileID: pos.file(p), budget: lim.MaxNodes, limits: lim}
	if !d.decode(root, reflect.ValueOf(out).Elem(), ownRecord) {
		d.issues = append(d.issues, plan.Issue{Pos: plan.Pos{File: p, Line: 1, Col: 1}, Rule: "too-large", Msg: fmt.Sprintf("more than %d YAML nodes once aliases are expanded", lim.MaxNodes)})
	}
	return d.issues
}

func syntaxIssue(p string, b []byte, err error) plan.Issue {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line, col := 1, 1
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		// The parser (unlike the scanner) reports lines counted from zero.
		for _, prefix := range parserMessages {
			if strings.HasPrefix(msg, prefix) {
				line++
				break
			}
		}
	} else if l, c, ok := controlAt(b); ok && strings.Contains(msg, "control characters") {
		line, col = l, c
	} else if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
		if l, c, ok := find(b, "*"+m[1]); ok {
			line, col = l, c
		}
	}
	return plan.Issue{Pos: plan.Pos{File: p, Line: line, Col: col}, Rule: "yaml-syntax", Msg: msg}
}

// parserMessages start the errors for which the YAML parser gives a zero-based line.
var parserMessages = []string{
	"did not find expected", "found duplicate %YAML directive", "found duplicate %TAG directive",
	"found incompatible YAML document", "found undefined tag handle",
}

var unknownAnchor = regexp.MustCompile(`^unknown anchor '([^']+)' referenced`)

// find returns the line and column (in characters) of the first occurrence of s in b.
func find(b []byte, s string) (line, col int, ok bool) {
	i := bytes.Index(b, []byte(s))
	if i < 0 {
		return 0, 0, false
	}
	before := b[:i]
	line = bytes.Count(before, []byte("\n")) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, col, true
}

// controlAt finds the first character YAML does not allow in a document.
func controlAt(b []byte) (line, col int, ok bool) {
	line, col = 1, 1
	for _, r := range string(b) {
		switch {
		case r == '\n':
			line, col = line+1, 1
			continue
		case r == '\t' || r == '\r':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xfffe || r == 0xffff:
			return line, col, true
		}
		col++
	}
	return 0, 0, false
}
