package pgtest

import (
	"context"
	"database/sql"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

func TestStartRestart(t *testing.T) {
	ctx := context.Background()
	a, b := Start(t), Start(t)
	if a == b {
		t.Fatalf("two tests got the same database %s", a)
	}
	db, err := sql.Open("pgx", a)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('kept')`); err != nil {
		t.Fatal(err)
	}
	var version string
	if err := db.QueryRowContext(ctx, `SHOW server_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	t.Logf("PostgreSQL %s at %s", version, a)
	Restart(t)
	var v string
	for range 3 { // the first use of a pooled connection may see the old server's socket close
		if err = db.QueryRowContext(ctx, `SELECT v FROM t`).Scan(&v); err == nil {
			break
		}
	}
	if err != nil || v != "kept" {
		t.Fatalf("after restart: %q, %v", v, err)
	}
	other, err := sql.Open("pgx", b)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.QueryRowContext(ctx, `SELECT v FROM t`).Scan(&v); err == nil {
		t.Fatal("a fresh database sees another test's table")
	}
}
