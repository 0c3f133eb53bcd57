package main

import (
	"fmt"

	"github.com/jpcheck/jpcheck/consumers"
	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specdiff"
)

// loadDiffConsumers reads each consumer's GraphQL document against the GraphQL schema of OLD:
// a consumer is written against the API it uses today.
func loadDiffConsumers(old *specdiff.Specs, files []string) ([]specdiff.Consumer, error) {
	if len(files) == 0 {
		return nil, nil
	}
	set, err := contracts.Load(old.FS)
	if err != nil {
		return nil, fmt.Errorf("OLD: %w", err)
	}
	schema, err := consumers.SchemaOf(set)
	if err != nil {
		return nil, fmt.Errorf("OLD: %w", err)
	}
	out := make([]specdiff.Consumer, 0, len(files))
	for _, f := range files {
		c, err := consumers.LoadFile(f, schema)
		if err != nil {
			return nil, err
		}
		sc := specdiff.Consumer{Name: c.Name, File: c.File}
		for _, r := range c.Fields() {
			sc.Uses = append(sc.Uses, specdiff.FieldUse{Type: r.Type, Field: r.Field, Root: r.Root})
		}
		out = append(out, sc)
	}
	return out, nil
}
