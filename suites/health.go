package suites

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// A run against a broken target must still end, soon, with its evidence. health is how:
// once the target is judged down (DownAfter requests in a row got no HTTP answer, or it was
// unreachable from the start), and once the run's budget is spent or the run interrupted,
// every later request fails at once and every later spec is recorded as not run with that
// reason, instead of each waiting out its own timeout.

// DownAfter is how many requests in a row without an HTTP answer (a timeout, a reset, a
// refused connection, bytes that are not HTTP) judge the target down. Any answer, even a 500,
// resets the count: a target that answers is judged by the specs, not here.
const DownAfter = 3

// ErrTargetDown wraps the error of a request refused because the target was judged down, the
// run's budget was spent or the run interrupted.
var ErrTargetDown = errors.New("target down")

// health is the run's judgement of the target, shared by every request of the run.
type health struct {
	ctx    context.Context // the run's: its end (budget, interrupt) stops every request
	budget time.Duration

	mu     sync.Mutex
	misses int
	last   string // the last request without an answer
	reason string // why the target is judged down; empty while it is not
	notRun map[string]string
}

func newHealth(ctx context.Context, budget time.Duration, down string) *health {
	return &health{ctx: ctx, budget: budget, reason: down, notRun: map[string]string{}}
}

// down says why no more requests are sent, or "" while they are.
func (h *health) down() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.reason == "" && h.ctx.Err() != nil {
		if errors.Is(h.ctx.Err(), context.DeadlineExceeded) {
			h.reason = fmt.Sprintf("the run's budget of %s (--timeout) was spent", h.budget)
		} else {
			h.reason = "the run was interrupted"
		}
	}
	return h.reason
}

// answered records a request the target answered.
func (h *health) answered() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.misses = 0
}

// missed records a request that got no HTTP answer, and judges the target down at the
// DownAfter-th in a row.
func (h *health) missed(what string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.misses++
	h.last = what
	if h.misses >= DownAfter && h.reason == "" {
		h.reason = fmt.Sprintf("target judged down after %d requests in a row without an answer (last: %s)", h.misses, what)
	}
}

// markNotRun records that spec could not run, and why.
func (h *health) markNotRun(spec, why string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.notRun[spec] = why
}

// notRunReason is why spec could not run, or "" when it ran.
func (h *health) notRunReason(spec string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.notRun[spec]
}

// unanswered says whether err means no HTTP answer came: the transport failed, as opposed to
// an answer that was too large (which is the target's answer, judged by the specs).
func unanswered(err error) bool {
	return err != nil && !errors.Is(err, errTooLarge)
}

// errTooLarge is a response over MaxResponseBytes: an answer, but not one read.
var errTooLarge = errors.New("response too large")

// guardSpecs registers what keeps a down target from holding up the run: each spec that
// would start once the target is judged down (or the budget spent) is recorded as not run and
// skipped before its body runs. ReportBeforeEach sees every spec, also those Ginkgo itself
// skips after its deadline or an interrupt, or in an Ordered container after a failure.
func guardSpecs(e *env) {
	ReportBeforeEach(func(r SpecReport) {
		if why := e.health.down(); why != "" && e.selected(r) {
			e.health.markNotRun(r.FullText(), why)
		}
	})
	BeforeEach(func() {
		if why := e.health.down(); why != "" {
			Skip("not run: " + why)
		}
	})
}

// dialFailed says whether err is a failure to connect at all (refused, no route, DNS): the
// target is unreachable, as opposed to reachable but not answering.
//
// A connection reset while connecting is a listener that accepted and dropped it: reachable.
func dialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" && !errors.Is(err, syscall.ECONNRESET)
}

// selection is the run's --label-filter and --focus, to tell a spec Ginkgo skips because the
// run is over from one it skips because the run never selected it.
type selection struct {
	labels types.LabelFilter
	focus  *regexp.Regexp
}

func newSelection(labelFilter string, focus []string) (selection, error) {
	var s selection
	if labelFilter != "" {
		f, err := types.ParseLabelFilter(labelFilter)
		if err != nil {
			return s, err
		}
		s.labels = f
	}
	if len(focus) > 0 {
		re, err := regexp.Compile(strings.Join(focus, "|"))
		if err != nil {
			return s, err
		}
		s.focus = re
	}
	return s, nil
}

// selected says whether the run selected the spec, as Ginkgo's own filter does (the focus
// matches the suite's description and the spec's full text).
func (e *env) selected(r SpecReport) bool {
	if e.sel.labels != nil && !e.sel.labels(r.Labels()) {
		return false
	}
	return e.sel.focus == nil || e.sel.focus.MatchString(suiteDescription+" "+r.FullText())
}
