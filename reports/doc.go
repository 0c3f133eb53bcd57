// Package reports holds the one versioned model of a jpcheck run ([Run]) and its writers:
// JSON for tools ([WriteJSON]), text for a terminal ([WriteText]), a self-contained HTML page
// ([WriteHTML]), JUnit XML for CI ([WriteJUnit]) and a report directory ([WriteDir]).
//
// Writers only render: they never judge a payload, start a target or decide an exit code. The
// package reads Ginkgo's plain types.Report for JUnit but must not import the suites package,
// the mock, the Ginkgo DSL (whose init registers the global suite's flags) or the CLI; the
// command converts a suites result into a Run.
package reports
