package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/plandata/plandata/schemas"
)

// reference is a column that holds keys of another table (or of its own).
type reference struct {
	table, column, refTable, refColumn string
}

// references lists the references of tables, in declaration order.
func references(tables []*schemas.Table) []reference {
	var out []reference
	for _, t := range tables {
		for _, c := range t.Columns {
			if c.References != "" {
				out = append(out, reference{t.Name, c.Name, c.RefTable(), c.RefColumn()})
			}
		}
	}
	return out
}

// checkReferences checks, once every row is loaded, that every value of a referencing column
// is a key of the table it references: one anti-join per reference, in place of the row by
// row checks of FOREIGN KEY constraints. The loads are over, so DuckDB may use two threads.
func checkReferences(ctx context.Context, conn *sql.Conn, tables []*schemas.Table) error {
	if _, err := conn.ExecContext(ctx, "SET GLOBAL threads = 2"); err != nil {
		return err
	}
	for _, r := range references(tables) {
		q := fmt.Sprintf(`SELECT count(*), min(c.%[2]s) FROM %[1]s AS c
WHERE c.%[2]s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %[3]s AS p WHERE p.%[4]s = c.%[2]s)`,
			ident(r.table), ident(r.column), ident(r.refTable), ident(r.refColumn))
		var n int64
		var first sql.NullString
		if err := conn.QueryRowContext(ctx, q).Scan(&n, &first); err != nil {
			return fmt.Errorf("check %s.%s: %w", r.table, r.column, err)
		}
		if n > 0 {
			rows := fmt.Sprintf("%d rows reference", n)
			if n == 1 {
				rows = "1 row references"
			}
			return fmt.Errorf("%s.%s: %s a key that %s.%s does not hold, the first %q",
				r.table, r.column, rows, r.refTable, r.refColumn, first.String)
		}
	}
	return nil
}

// foreignKeysView is the view foreign_keys: every reference of tables, the joins a user
// needs, as the FOREIGN KEY constraints would have listed them.
func foreignKeysView(tables []*schemas.Table) view {
	refs := references(tables)
	query := "SELECT NULL::VARCHAR AS table_name, NULL::VARCHAR AS column_name, NULL::VARCHAR AS referenced_table, NULL::VARCHAR AS referenced_column WHERE false"
	if len(refs) > 0 {
		rows := make([]string, len(refs))
		for i, r := range refs {
			rows[i] = fmt.Sprintf("  (%s, %s, %s, %s)", lit(r.table), lit(r.column), lit(r.refTable), lit(r.refColumn))
		}
		query = "SELECT * FROM (VALUES\n" + strings.Join(rows, ",\n") + "\n) AS r(table_name, column_name, referenced_table, referenced_column)\nORDER BY ALL"
	}
	return view{
		Name:          "foreign_keys",
		DescriptionEN: "Every column that holds keys of another table (or of its own), with the key it references. Each reference was checked when the file was written; they are not declared as FOREIGN KEY constraints.",
		DescriptionZH: "存放其他表（或本表）主键的各列及其引用的主键。写入文件时已逐一检查；未声明为 FOREIGN KEY 约束。",
		SQL:           query,
		Columns: []viewColumn{
			{"table_name", "VARCHAR", "Table holding the referencing column.", "引用列所在的表。"},
			{"column_name", "VARCHAR", "Referencing column.", "引用列。"},
			{"referenced_table", "VARCHAR", "Table whose key the column holds.", "被引用主键所在的表。"},
			{"referenced_column", "VARCHAR", "Key column referenced.", "被引用的主键列。"},
		},
	}
}
