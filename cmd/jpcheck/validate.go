package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/reports"
	"github.com/jpcheck/jpcheck/specs"
	"github.com/spf13/cobra"
)

type validateOpts struct {
	kind    string
	profile string
	format  string
	ndjson  bool
	// noRedact shows customer data in the findings; by default it is masked, as validate's
	// output lands in CI logs.
	noRedact bool
}

// validateResult is one line of `validate --format json` output; field names are an interface.
type validateResult struct {
	Source   string              `json:"source"`
	Kind     contracts.Kind      `json:"kind"`
	Detected bool                `json:"detected,omitempty"`
	Valid    bool                `json:"valid"`
	Findings []contracts.Finding `json:"findings"`
}

func newValidateCmd(st streams) *cobra.Command {
	o := validateOpts{}
	cmd := &cobra.Command{
		Use:   "validate [flags] FILE|- ...",
		Short: "Check payloads (order status, webhooks, offers, rewards, errors) against the specs",
		Long: `Validate checks each payload field by field against its contract and prints every finding.

Kinds: ` + kindList() + `. With --kind auto (the default) the kind is
detected from the payload's shape and the output says which was chosen.
Invalid JSON is a finding (rule json, with the byte offset), not a crash. Customer data the
findings quote (email, phone, VPA, card fields) is masked unless --no-redact.

Exit: 0 no error finding, 1 any error finding, 2 usage or unreadable input.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("validate needs at least one FILE or - for standard input")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error { return runValidate(st, o, args) },
	}
	f := cmd.Flags()
	f.StringVar(&o.kind, "kind", "auto", "contract kind of the payloads, or auto")
	f.StringVar(&o.profile, "profile", "compat", "compat (also accept Juspay's documented variants, as warnings) or strict")
	f.StringVar(&o.format, "format", "text", "text or json")
	f.BoolVar(&o.ndjson, "ndjson", false, "one payload per line; one result per line")
	f.BoolVar(&o.noRedact, "no-redact", false, "show customer email, phone, VPA and card fields the findings quote (masked by default: the output lands in CI logs)")
	return cmd
}

func kindList() string {
	var ks []string
	for _, k := range contracts.Kinds() {
		ks = append(ks, string(k))
	}
	return strings.Join(ks, ", ")
}

func runValidate(st streams, o validateOpts, args []string) error {
	profile, err := contracts.ParseProfile(o.profile)
	if err != nil {
		return usageErr("%v", err)
	}
	kind := contracts.Kind(o.kind)
	if kind != contracts.KindAuto && !validKind(kind) {
		return usageErr("unknown kind %q (want auto or one of %s)", o.kind, kindList())
	}
	if o.format != "text" && o.format != "json" {
		return usageErr("unknown format %q (want text or json)", o.format)
	}
	set, err := contracts.Load(specs.FS())
	if err != nil {
		return err
	}
	var results []validateResult
	failed := false
	emit := func(r validateResult) {
		failed = failed || !r.Valid
		if !o.noRedact {
			r.Findings = reports.RedactFindings(r.Findings)
		}
		if o.ndjson {
			writeNDJSONResult(st.out, o.format, r)
			return
		}
		results = append(results, r)
	}
	var inputErr error
	for _, name := range args {
		if inputErr = validateInput(st, set, name, kind, profile, o.ndjson, emit); inputErr != nil {
			break
		}
	}
	// Print what was checked before an unreadable input, so no result is lost.
	if !o.ndjson {
		if o.format == "json" {
			enc := json.NewEncoder(st.out)
			enc.SetIndent("", "  ")
			if results == nil {
				results = []validateResult{}
			}
			if err := enc.Encode(struct {
				Version int              `json:"version"`
				Results []validateResult `json:"results"`
			}{1, results}); err != nil {
				return err
			}
		} else {
			for _, r := range results {
				writeTextResult(st.out, r)
			}
		}
	}
	if inputErr != nil {
		return &exitError{code: exitUsage, err: inputErr}
	}
	if failed {
		return silentExit(exitFindings)
	}
	return nil
}

func validKind(k contracts.Kind) bool {
	for _, x := range contracts.Kinds() {
		if x == k {
			return true
		}
	}
	return false
}

func openInput(st streams, name string) (io.ReadCloser, string, error) {
	if name == "-" {
		return io.NopCloser(st.in), "-", nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, name, fmt.Errorf("read %s: %w", name, unwrapPathErr(err))
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, name, fmt.Errorf("read %s: is a directory", name)
	}
	return f, name, nil
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func validateInput(st streams, set *contracts.Set, name string, kind contracts.Kind, profile contracts.Profile, ndjson bool, emit func(validateResult)) error {
	rc, src, err := openInput(st, name)
	if err != nil {
		return err
	}
	defer rc.Close()
	check := func(source string, payload []byte) error {
		res, err := set.Validate(kind, payload, contracts.Options{Profile: profile})
		if err != nil {
			return err
		}
		emit(validateResult{Source: source, Kind: res.Kind, Detected: kind == contracts.KindAuto && res.Kind != contracts.KindAuto, Valid: res.Valid, Findings: res.Findings})
		return nil
	}
	if !ndjson {
		// Read one byte past the limit: enough to tell "too big" without holding a huge file.
		payload, err := io.ReadAll(io.LimitReader(rc, contracts.MaxPayloadBytes+1))
		if err != nil {
			return fmt.Errorf("read %s: %w", src, unwrapPathErr(err))
		}
		return check(src, payload)
	}
	r := bufio.NewReaderSize(rc, 64<<10)
	for line := 1; ; line++ {
		payload, tooLong, err := readLine(r, contracts.MaxPayloadBytes)
		if len(bytes.TrimSpace(payload)) > 0 || tooLong {
			if tooLong {
				payload = make([]byte, contracts.MaxPayloadBytes+1) // a size finding, without keeping the line
			}
			if cerr := check(fmt.Sprintf("%s:%d", src, line), payload); cerr != nil {
				return cerr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", src, err)
		}
	}
}

// readLine reads one line of at most max bytes; a longer line is consumed and reported tooLong.
func readLine(r *bufio.Reader, max int) ([]byte, bool, error) {
	var buf []byte
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > max+1 {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return bytes.TrimRight(buf, "\r\n"), tooLong, err
	}
}

func kindLabel(r validateResult) string {
	if r.Detected {
		return string(r.Kind) + ", detected"
	}
	return string(r.Kind)
}

func counts(fs []contracts.Finding) (errs, warns int) {
	for _, f := range fs {
		if f.Severity == contracts.SeverityError {
			errs++
		} else {
			warns++
		}
	}
	return
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func writeTextResult(w io.Writer, r validateResult) {
	errs, warns := counts(r.Findings)
	verdict := "valid"
	if !r.Valid {
		verdict = "INVALID"
	}
	fmt.Fprintf(w, "%s (%s): %s, %s, %s\n", r.Source, kindLabel(r), verdict, plural(errs, "error"), plural(warns, "warning"))
	for _, f := range r.Findings {
		ptr := f.Pointer
		if ptr == "" {
			ptr = "(root)"
		}
		fmt.Fprintf(w, "  %s  %s  %s  %s\n", ptr, f.Severity, f.Rule, f.Message)
	}
}

func writeNDJSONResult(w io.Writer, format string, r validateResult) {
	if format == "json" {
		b, _ := json.Marshal(r)
		w.Write(append(b, '\n'))
		return
	}
	errs, warns := counts(r.Findings)
	var parts []string
	for _, f := range r.Findings {
		parts = append(parts, fmt.Sprintf("%s %s %s", orRoot(f.Pointer), f.Severity, f.Rule))
	}
	verdict := "valid"
	if !r.Valid {
		verdict = "INVALID"
	}
	line := fmt.Sprintf("%s (%s): %s, %s, %s", r.Source, kindLabel(r), verdict, plural(errs, "error"), plural(warns, "warning"))
	if len(parts) > 0 {
		line += ": " + strings.Join(parts, "; ")
	}
	fmt.Fprintln(w, line)
}

func orRoot(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}
