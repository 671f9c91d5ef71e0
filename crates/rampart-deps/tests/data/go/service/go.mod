module example.com/billing/service

// Minimum language version; CI builds with the toolchain below.
go 1.22
toolchain go1.22.5

require (
	github.com/go-chi/chi/v5 v5.0.12
	github.com/jackc/pgx/v5 v5.5.5
	golang.org/x/crypto v0.24.0
)

require (
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20221227161230-091c0ba34f0a // indirect
	github.com/jackc/puddle/v2 v2.2.1 // indirect
	golang.org/x/sync v0.7.0 // indirect
	golang.org/x/text v0.16.0 // indirect
)

require example.com/internal/auth v0.0.0-00010101000000-000000000000

// The auth module lives next to this one until it is published.
replace example.com/internal/auth => ../auth

exclude golang.org/x/crypto v0.17.0

retract v1.0.1 // published by mistake
