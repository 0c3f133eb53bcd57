package reports

import (
	"fmt"
	"io"

	"github.com/jpcheck/jpcheck/consumers"
)

// Consumer is one consumer contract's compliance in a run (consumers.Compliance, copied so
// the report's format does not follow the engine's by accident).
type Consumer struct {
	Name string `json:"name"`
	File string `json:"file"`
	// Status is pass, fail or not-exercised (a root with no payload of its kind in the run).
	Status         string            `json:"status"`
	Pass           bool              `json:"pass"`
	FieldsSelected int               `json:"fields_selected"`
	FieldsSupplied int               `json:"fields_supplied"`
	Payloads       int               `json:"payloads"`
	Missing        []ConsumerMissing `json:"missing"`
	NotExercised   []string          `json:"not_exercised"`
}

// ConsumerMissing is one selected field a payload did not supply.
type ConsumerMissing struct {
	Path    string `json:"path"`
	Request string `json:"request"`
	Pointer string `json:"pointer,omitempty"`
	Reason  string `json:"reason"`
	Count   int    `json:"count"`
}

// ConsumersOf copies the consumers' verdicts into the report model.
func ConsumersOf(cs []consumers.Compliance) []Consumer {
	out := make([]Consumer, 0, len(cs))
	for _, c := range cs {
		rc := Consumer{
			Name: c.Consumer, File: c.File, Status: c.Status, Pass: c.Pass,
			FieldsSelected: c.Selected, FieldsSupplied: c.Supplied, Payloads: c.Payloads,
			NotExercised: append([]string{}, c.NotExercised...), Missing: make([]ConsumerMissing, 0, len(c.Missing)),
		}
		for _, m := range c.Missing {
			rc.Missing = append(rc.Missing, ConsumerMissing(m))
		}
		out = append(out, rc)
	}
	return out
}

// ConsumersFailed counts the consumers some of whose fields were not supplied.
func ConsumersFailed(cs []Consumer) int {
	n := 0
	for _, c := range cs {
		if c.Status == consumers.StatusFail {
			n++
		}
	}
	return n
}

func normalizedConsumers(cs []Consumer) []Consumer {
	if cs == nil {
		return nil
	}
	out := make([]Consumer, len(cs))
	for i, c := range cs {
		if c.Missing == nil {
			c.Missing = []ConsumerMissing{}
		}
		if c.NotExercised == nil {
			c.NotExercised = []string{}
		}
		out[i] = c
	}
	return out
}

// writeMarkdownConsumers lists each consumer's verdict and the fields it lacked.
func writeMarkdownConsumers(w io.Writer, r *Run) {
	if len(r.Consumers) == 0 {
		return
	}
	fmt.Fprintf(w, "### Consumers (%d)\n\n", len(r.Consumers))
	fmt.Fprintln(w, "| consumer | status | fields supplied | missing | not exercised |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|")
	for _, c := range r.Consumers {
		fmt.Fprintf(w, "| %s | %s | %d of %d | %d | %d |\n", mdText(c.Name, 80), c.Status, c.FieldsSupplied, c.FieldsSelected, len(c.Missing), len(c.NotExercised))
	}
	fmt.Fprintln(w)
	for _, c := range r.Consumers {
		for i, m := range c.Missing {
			if i == 20 {
				fmt.Fprintf(w, "- %s: %d more\n", mdText(c.Name, 80), len(c.Missing)-i)
				break
			}
			fmt.Fprintf(w, "- %s: %s %s (%s)\n", mdText(c.Name, 80), mdCode(m.Path), mdText(m.Reason, 200), mdText(m.Request, 120))
		}
	}
	fmt.Fprintln(w)
}
