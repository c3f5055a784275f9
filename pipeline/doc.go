// Package pipeline builds plandata releases. The stages run in this order, each a plain
// function with typed input and output:
//
//	unchanged  source.Hash                   the sources' hashes equal those of `latest`: stop here
//	load       source.Open, Docs.LoadPlan    curated YAML -> plan types (every value keeps file:line:col)
//	validate   validate.New, Validator.Plan  ground rules -> []plan.Issue (all of them, never the first only)
//	normalize  normalize.New, Builder.Plan   as written -> resolved typed tables (table.Set) + issues
//
//	diff       release.Diff                  the changes table against the release `latest` names
//	write.*    write.Format.Write(dir, set)  one package per format: parquet, xlsx, duckdb, csv
//	card       README.md dataset card, schema.yaml, CHANGES.md
//	datapackage release.DataPackage          Frictionless descriptor of the CSV files
//	check      release.Digests               read every format back; all must hold the same rows
//	manifest   release.Seal                  sizes, sha256, row counts, per-format row digests
//	publish    release.Publish               rename the staged folder, switch `latest`
//
// Load, validate and normalize take one plan file at a time (Tables): only the reference
// files and one plan are in memory, and the tables keep their rows encoded, in files past a
// few megabytes, so that memory stays bounded whatever the number of plans.
//
// Column names, types and descriptions come from package schemas; writers see only the
// table.Set. Build (run.go) is the only place that knows the order. Library code never
// prints, exits or reads the clock or the environment: Config carries the release date,
// version and logger in from cmd/plandata.
package pipeline
