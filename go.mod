module github.com/sigintake/sigintake

go 1.26
