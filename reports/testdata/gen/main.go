// Command gen writes reports/testdata/runs/load/load.json: a real load run against the
// reference implementation. Run from the repository root: go run ./reports/testdata/gen
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http/httptest"
	"os"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/load"
	"github.com/jpcheck/jpcheck/mock"
	"github.com/jpcheck/jpcheck/specs"
)

func main() {
	srv, err := mock.New(mock.Config{})
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	set, err := contracts.Load(specs.FS())
	if err != nil {
		log.Fatal(err)
	}
	res, err := load.Run(context.Background(), load.Config{
		Target: ts.URL, APIKey: mock.DefaultAPIKey, MerchantID: mock.DefaultMerchantID, OrderIDs: srv.SeededOrders(),
		Rate: 200, Duration: 3 * time.Second, ValidateSample: 1, Set: set, Profile: contracts.ProfileCompat,
		LagLimit: 50 * time.Millisecond,
	})
	if err != nil {
		log.Fatal(err)
	}
	res.Target = "http://127.0.0.1:8080"
	b, _ := json.MarshalIndent(res, "", "  ")
	os.MkdirAll(os.Args[1], 0o755)
	if err := os.WriteFile(os.Args[1]+"/load.json", append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
}
