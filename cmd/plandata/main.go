// Command plandata builds, validates and verifies releases of the plandata dataset.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr)) }
