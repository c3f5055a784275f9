// Package plandata embeds the curated sources, so that the binary builds the dataset from any
// folder without flags.
package plandata

import (
	"embed"
	"io/fs"
)

//go:embed sources/*.yaml sources/plans/*.yaml
var embedded embed.FS

// Sources returns the repository's curated sources as a file system rooted at sources/.
func Sources() fs.FS {
	sub, err := fs.Sub(embedded, "sources")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return sub
}
