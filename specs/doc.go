// Package specs holds the Juspay contracts as OpenAPI 3.1 documents, derived from the Juspay
// documents and public facts, together with every sample payload those documents show
// (examples/) and where each came from. The files are embedded so the jpcheck binary carries
// them; this package only serves the files and their provenance: it parses no schema (that is
// the contracts package's job) and imports nothing of the project.
package specs
