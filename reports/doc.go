// Package reports holds the one versioned model of a jpcheck run ([Run]: conformance specs,
// findings, field coverage, a load run, the environment and the documents' errata) and its
// writers: JSON for tools ([WriteJSON], schema in docs/report-schema.json), text for a
// terminal ([WriteText]), a self-contained HTML page ([WriteHTML]), JUnit XML for CI
// ([WriteJUnit]), a Markdown summary ([WriteMarkdown]) and a report directory ([WriteDir]).
// [ReadInput] and [Merge] read saved runs back and join them; [ReadHistory] turns earlier
// runs into a trend; [Redact] masks customer data for the page and the summary.
//
// Writers only render: they never judge a payload, start a target or decide an exit code. The
// package reads Ginkgo's plain types.Report for JUnit but must not import the suites package,
// the mock, the Ginkgo DSL (whose init registers the global suite's flags) or the CLI; the
// command converts a suites result into a Run.
package reports
