package mock

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// params reads a request's fields: form-encoded (what Juspay's APIs take), multipart (curl
// --form) or a JSON object (what some SDKs send), plus the query string.
func params(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		out[k] = v[0]
	}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/json"):
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(b)) == 0 {
			return out, nil
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, errors.New("request body is not a JSON object")
		}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				out[k] = v
			case json.Number:
				out[k] = v.String()
			case bool:
				out[k] = strconv.FormatBool(v)
			case nil:
			default:
				b, _ := json.Marshal(v)
				out[k] = string(b)
			}
		}
	case strings.HasPrefix(ct, "multipart/form-data"):
		if err := r.ParseMultipartForm(MaxBodyBytes); err != nil {
			return nil, err
		}
		for k, v := range r.MultipartForm.Value {
			out[k] = v[0]
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		for k, v := range r.PostForm {
			out[k] = v[0]
		}
	}
	return out, nil
}

// money parses an amount as the APIs take it ("1000.00", "950", 9000): positive, finite,
// at most two decimals.
func money(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f > 1e12 {
		return 0, false
	}
	return math.Round(f*100) / 100, true
}

// num reads a number out of a generic JSON document (json.Number, float64, int or string).
func num(v any) float64 {
	switch v := v.(type) {
	case json.Number:
		f, _ := v.Float64()
		return f
	case float64:
		return v
	case int:
		return float64(v)
	case string:
		f, _ := strconv.ParseFloat(v, 64)
		return f
	}
	return 0
}

// amount renders money as a JSON number without float noise (1000, 78.65).
func amount(f float64) json.Number {
	return json.Number(strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64))
}

// randomID is prefix and n random bytes in hex. Hex with 13 or more decimal digits in a row can
// read as a card number (13-19 digits in a network's range passing Luhn: the contracts'
// pci.card-number rule), which would make a strict check of the mock fail at random, so such a
// draw is drawn again (about 4% of 16-byte ones).
func randomID(prefix string, n int) string {
	b := make([]byte, n)
	for {
		rand.Read(b)
		if s := hex.EncodeToString(b); !hasDigitRun(s, 13) {
			return prefix + s
		}
	}
}

// hasDigitRun says whether s holds n or more decimal digits in a row.
func hasDigitRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			run = 0
			continue
		}
		if run++; run >= n {
			return true
		}
	}
	return false
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s", scheme, r.Host)
}
