// Package plan holds the domain types of the curated sources: plans, their categories,
// members and tasks, and the reference data (sources, agencies, regions) they point to.
// It does no I/O. Optional values are pointers: nil means the source gives nothing.
package plan

import (
	"fmt"
	"regexp"
)

// IDPattern is the one pattern every identifier follows: a lower-case ASCII slug. An
// identifier that matches it has no path separators, no dots and no spaces.
var IDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Confidence levels, the same on every fact row.
var Confidences = []string{"high", "medium", "low"}

// Ref cites a source for a fact, with an optional note on what the source supports.
type Ref struct {
	ID   string
	Note *string
}

// Alias is another name form of an agency or a region.
type Alias struct {
	Alias string `yaml:"alias" plan:"required"`
	Lang  string `yaml:"lang" plan:"required"`
}

// Source is a cited document or page.
type Source struct {
	ID          string  `yaml:"id" plan:"required"`
	URL         string  `yaml:"url" plan:"required"`
	Title       string  `yaml:"title" plan:"required"`
	Publisher   *string `yaml:"publisher"`
	PublishedOn *string `yaml:"published_on"`
	Kind        string  `yaml:"kind" plan:"required"`
	Language    string  `yaml:"language" plan:"required"`
	Reliability string  `yaml:"reliability" plan:"required"`
	Note        *string `yaml:"note"`
}

// Agency is a government body.
type Agency struct {
	ID           string  `yaml:"id" plan:"required"`
	NameZH       string  `yaml:"name_zh" plan:"required"`
	ShortNameZH  *string `yaml:"short_name_zh"`
	NameEN       string  `yaml:"name_en" plan:"required"`
	Abbreviation *string `yaml:"abbreviation"`
	Kind         string  `yaml:"kind" plan:"required"`
	Parent       *string `yaml:"parent"`
	ValidFrom    *string `yaml:"valid_from"`
	ValidTo      *string `yaml:"valid_to"`
	Sources      []Ref   `yaml:"sources"`
	Aliases      []Alias `yaml:"aliases"`
	Note         *string `yaml:"note"`
}

// Region is a Chinese division, a country, a bloc or a zone.
type Region struct {
	ID          string   `yaml:"id" plan:"required"`
	Kind        string   `yaml:"kind" plan:"required"`
	GB2260      *string  `yaml:"gb2260_code"`
	ISO         *string  `yaml:"iso_code"`
	NameZH      string   `yaml:"name_zh" plan:"required"`
	ShortNameZH *string  `yaml:"short_name_zh"`
	NameEN      string   `yaml:"name_en" plan:"required"`
	Pinyin      *string  `yaml:"name_pinyin"`
	Members     []string `yaml:"members"`
	Aliases     []Alias  `yaml:"aliases"`
	Sources     []Ref    `yaml:"sources"`
	Note        *string  `yaml:"note"`
}

// Declared is what a plan says about itself.
type Declared struct {
	Categories *int64 `yaml:"categories"`
	Measures   *int64 `yaml:"measures"`
	Members    *int64 `yaml:"members"`
}

// Plan is an annual work plan.
type Plan struct {
	ID                  string   `yaml:"id" plan:"required"`
	Series              string   `yaml:"series" plan:"required"`
	Year                int64    `yaml:"year" plan:"required"`
	TitleZH             string   `yaml:"title_zh" plan:"required"`
	TitleEN             string   `yaml:"title_en" plan:"required"`
	NoticeTitleZH       *string  `yaml:"notice_title_zh"`
	DocNumber           *string  `yaml:"doc_number"`
	DocNumberConfidence *string  `yaml:"doc_number_confidence"`
	DocNumberNote       *string  `yaml:"doc_number_note"`
	PublishedOn         *string  `yaml:"published_on"`
	URL                 *string  `yaml:"url"`
	Declared            Declared `yaml:"declared"`
	SummaryEN           *string  `yaml:"summary_en"`
	Confidence          string   `yaml:"confidence" plan:"required"`
	Sources             []Ref    `yaml:"sources"`
	Note                *string  `yaml:"note"`
}

// Aspect groups categories.
type Aspect struct {
	ID         string  `yaml:"id" plan:"required"`
	Seq        int64   `yaml:"seq" plan:"required"`
	NameZH     *string `yaml:"name_zh"`
	NameEN     *string `yaml:"name_en"`
	Confidence string  `yaml:"confidence" plan:"required"`
	Sources    []Ref   `yaml:"sources"`
	Note       *string `yaml:"note"`
}

// Category is a task category (行动).
type Category struct {
	ID         string  `yaml:"id" plan:"required"`
	Seq        int64   `yaml:"seq" plan:"required"`
	Aspect     *string `yaml:"aspect"`
	NameZH     *string `yaml:"name_zh"`
	NameEN     *string `yaml:"name_en"`
	NameStatus string  `yaml:"name_status" plan:"required"`
	Confidence string  `yaml:"confidence" plan:"required"`
	Sources    []Ref   `yaml:"sources"`
	Note       *string `yaml:"note"`
}

// Member is a member unit of the working group for a plan.
type Member struct {
	Agency     string  `yaml:"agency" plan:"required"`
	Role       string  `yaml:"role" plan:"required"`
	Confidence string  `yaml:"confidence" plan:"required"`
	Sources    []Ref   `yaml:"sources"`
	Note       *string `yaml:"note"`
}

// Responsible is a task's responsible units (责任单位) as written.
type Responsible struct {
	AsWritten  string `yaml:"as_written" plan:"required"`
	Confidence string `yaml:"confidence" plan:"required"`
	Sources    []Ref  `yaml:"sources"`
}

// Target is a quantitative target of a task.
type Target struct {
	ID         string  `yaml:"id" plan:"required"`
	MetricEN   string  `yaml:"metric_en" plan:"required"`
	AsWritten  string  `yaml:"as_written" plan:"required"`
	UnitEN     *string `yaml:"unit_en"`
	UnitZH     *string `yaml:"unit_zh"`
	Confidence string  `yaml:"confidence" plan:"required"`
	Sources    []Ref   `yaml:"sources"`
	Note       *string `yaml:"note"`
}

// TaskRegion is a region a task names.
type TaskRegion struct {
	AsWritten  string  `yaml:"as_written" plan:"required"`
	RoleEN     *string `yaml:"role_en"`
	Confidence string  `yaml:"confidence" plan:"required"`
	Sources    []Ref   `yaml:"sources"`
	Note       *string `yaml:"note"`
}

// Outcome is a later document or event that delivered a task.
type Outcome struct {
	ID         string  `yaml:"id" plan:"required"`
	OutcomeEN  string  `yaml:"outcome_en" plan:"required"`
	DocNumber  *string `yaml:"doc_number"`
	Date       *string `yaml:"date"`
	Confidence string  `yaml:"confidence" plan:"required"`
	Sources    []Ref   `yaml:"sources"`
	Note       *string `yaml:"note"`
}

// Task is a specific measure (具体举措).
type Task struct {
	ID                 string       `yaml:"id" plan:"required"`
	Category           *string      `yaml:"category"`
	CategoryConfidence *string      `yaml:"category_confidence"`
	SummaryEN          string       `yaml:"summary_en" plan:"required"`
	SummaryZH          *string      `yaml:"summary_zh"`
	KeyTermsZH         []string     `yaml:"key_terms_zh"`
	AnnualGoalEN       *string      `yaml:"annual_goal_en"`
	Responsible        *Responsible `yaml:"responsible"`
	Deadline           *string      `yaml:"deadline"`
	Confidence         string       `yaml:"confidence" plan:"required"`
	Sources            []Ref        `yaml:"sources"`
	Note               *string      `yaml:"note"`
	Targets            []Target     `yaml:"targets"`
	Regions            []TaskRegion `yaml:"regions"`
	Outcomes           []Outcome    `yaml:"outcomes"`
}

// PlanFile is one file under plans/.
type PlanFile struct {
	Plan       Plan       `yaml:"plan" plan:"required"`
	Aspects    []Aspect   `yaml:"aspects"`
	Categories []Category `yaml:"categories"`
	Members    []Member   `yaml:"members"`
	Tasks      []Task     `yaml:"tasks"`
}

// SourcesFile is sources.yaml.
type SourcesFile struct {
	Sources []Source `yaml:"sources" plan:"required"`
}

// AgenciesFile is agencies.yaml.
type AgenciesFile struct {
	Agencies []Agency `yaml:"agencies" plan:"required"`
}

// RegionsFile is regions.yaml.
type RegionsFile struct {
	Regions []Region `yaml:"regions" plan:"required"`
}

// SourceCheck is what the last availability check found for a cited URL. It is written by
// `plandata check-sources`, not by hand.
type SourceCheck struct {
	SourceID  string  `yaml:"source_id" plan:"required"`
	URL       string  `yaml:"url" plan:"required"`
	FinalURL  *string `yaml:"final_url"`
	Status    *int64  `yaml:"status"`
	Error     *string `yaml:"error"`
	SHA256    *string `yaml:"sha256"`
	Bytes     *int64  `yaml:"bytes"`
	CheckedAt string  `yaml:"checked_at" plan:"required"`
}

// ChecksFile is source-checks.yaml.
type ChecksFile struct {
	Checks []SourceCheck `yaml:"checks" plan:"required"`
}

// Pos is a place in a source file. Line and Col count from 1; 0 means unknown.
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Issue is one problem with the sources.
type Issue struct {
	Pos
	Rule string
	Msg  string
}

func (i Issue) String() string { return fmt.Sprintf("%s: %s: %s", i.Pos, i.Rule, i.Msg) }

// Issues is a list of problems that is also an error.
type Issues []Issue

func (is Issues) Error() string {
	if len(is) == 1 {
		return is[0].String()
	}
	return fmt.Sprintf("%s (and %d more)", is[0], len(is)-1)
}
