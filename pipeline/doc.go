// Package pipeline builds plandata releases. The stages run in this order, each a plain
// function with typed input and output:
//
//	load       source.Load(fs.FS)            curated YAML -> source.Docs (every value keeps file:line:col)
//	validate   validate.Check(docs)          ground rules -> []plan.Issue (all of them, never the first only)
//	normalize  normalize.Tables(docs, s)     as written -> resolved typed tables (table.Set) + issues
//	diff       release.Diff                  the changes table against the release `latest` names
//	write.*    write.Format.Write(dir, set)  one package per format: parquet, xlsx, duckdb, csv
//	card       README.md dataset card, schema.yaml, CHANGES.md
//	datapackage release.DataPackage          Frictionless descriptor of the CSV files
//	check      release.Digests               read every format back; all must hold the same rows
//	manifest   release.Seal                  sizes, sha256, row counts, per-format row digests
//	publish    release.Publish               rename the staged folder, switch `latest`
//
// Column names, types and descriptions come from package schemas; writers see only the
// table.Set. Build (run.go) is the only place that knows the order. Library code never
// prints, exits or reads the clock or the environment: Config carries the release date,
// version and logger in from cmd/plandata.
package pipeline
