package mock

import (
	"strings"
	"testing"
)

func TestHasDigitRun(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"", false},
		{"123456789012", false},
		{"1234567890123", true},
		{"ab1234567890123cd", true},
		{"123456a7890123b", false},
	} {
		if got := hasDigitRun(c.s, 13); got != c.want {
			t.Errorf("hasDigitRun(%q, 13) = %v, want %v", c.s, got, c.want)
		}
	}
}

// Random ids never read as card numbers: a strict check of the mock's answers (pci.card-number)
// must not fail by chance. Without the redraw about 4% of 16-byte ids have such a run.
func TestRandomIDHasNoCardLikeDigitRun(t *testing.T) {
	for i := 0; i < 5000; i++ {
		id := randomID("evt_V2_", 16)
		if !strings.HasPrefix(id, "evt_V2_") || len(id) != len("evt_V2_")+32 {
			t.Fatalf("randomID = %q", id)
		}
		if hasDigitRun(id, 13) {
			t.Fatalf("randomID = %q holds 13 digits in a row", id)
		}
	}
}
