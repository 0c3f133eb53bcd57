package contracts

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	yaml "github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel"
)

// Kind names a contract: the shape of one payload.
type Kind string

// The contract kinds. They are an interface: jpcheck validate --kind takes them.
const (
	KindAuto           Kind = "auto"
	KindOrderStatus    Kind = "order-status"
	KindWebhook        Kind = "webhook"
	KindListOffers     Kind = "list-offers"
	KindOffer          Kind = "offer"
	KindPaymentMethods Kind = "payment-methods"
	KindEligibility    Kind = "eligibility"
	KindWallet         Kind = "wallet"
	KindOrderCreate    Kind = "order-create"
	KindTxn            Kind = "txn"
	KindRefund         Kind = "refund"
	KindError          Kind = "error"
	// The mandate APIs (mandates.yaml): status and list, the pause/resume/revoke answer, and a
	// pre-debit notification.
	KindMandate        Kind = "mandate"
	KindMandateList    Kind = "mandate-list"
	KindMandateCommand Kind = "mandate-command"
	KindNotification   Kind = "notification"
)

// kindSchemas maps each kind to its component schema in the root document.
var kindSchemas = []struct {
	kind   Kind
	schema string
}{
	{KindOrderStatus, "OrderStatus"}, {KindWebhook, "Webhook"}, {KindListOffers, "ListOffers"},
	{KindOffer, "Offer"}, {KindPaymentMethods, "PaymentMethods"}, {KindEligibility, "Eligibility"},
	{KindWallet, "Wallet"}, {KindOrderCreate, "OrderCreate"}, {KindTxn, "Txn"}, {KindRefund, "Refund"},
	{KindError, "Error"}, {KindMandate, "Mandate"}, {KindMandateList, "MandateList"},
	{KindMandateCommand, "MandateCommand"}, {KindNotification, "Notification"},
}

// Kinds lists the contract kinds in a stable order (auto excluded).
func Kinds() []Kind {
	ks := make([]Kind, len(kindSchemas))
	for i, k := range kindSchemas {
		ks[i] = k.kind
	}
	return ks
}

// ErrUnknownKind is returned for a kind the specs do not define.
var ErrUnknownKind = errors.New("unknown contract kind")

// rootFile is the root OpenAPI document's name in the spec file system.
const rootFile = "openapi.yaml"

// Set is the compiled specs: every contract kind, every webhook event and every component
// schema, ready to validate payloads. It is safe for concurrent use.
type Set struct {
	kinds       map[Kind]*schema
	webhooks    map[string]*schema // event_name → schema of the whole delivery
	events      []string
	schemas     map[string]*schema // file#pointer → compiled schema (all of them)
	docs        map[string]documentRef
	digest      string
	version     string
	noSource    []string // properties without x-source, for Lint
	uncheckable []string // properties whose x-source a user could not look up, for Lint
	unknown     []string // schema keywords the validator does not implement, for Lint
	errata      []errataSite
	readers     sync.Pool // *reader: parse state reused across Validate calls
}

// Digest is the SHA-256 of the spec files, so a report can name exactly what it checked against.
func (s *Set) Digest() string { return s.digest }

// Version is the root document's info.version.
func (s *Set) Version() string { return s.version }

// Events lists the webhook event names the specs define, sorted.
func (s *Set) Events() []string { return append([]string(nil), s.events...) }

// Load reads the spec files in fsys (openapi.yaml at the top, area files beside it), has
// libopenapi build and resolve the OpenAPI 3.1 model, and compiles every contract. A spec that
// does not load, or any $ref that does not resolve, is an error listing every problem found.
func Load(fsys fs.FS) (*Set, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	h := sha256.New()
	c := &compiler{files: map[string]*yaml.Node{}, memo: map[string]*schema{}, docs: map[string]documentRef{}}
	var rootBytes []byte
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(b))
		h.Write(b)
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("load specs: %s: %w", name, err)
		}
		c.files[name] = &doc
		if name == rootFile {
			rootBytes = b
		}
	}
	if rootBytes == nil {
		return nil, fmt.Errorf("load specs: no %s", rootFile)
	}
	if err := buildModel(fsys, rootBytes); err != nil {
		return nil, err
	}
	root := c.files[rootFile]
	set := &Set{kinds: map[Kind]*schema{}, webhooks: map[string]*schema{}, digest: hex.EncodeToString(h.Sum(nil)), docs: c.docs}
	if v := mapGet(mapGet(root, "info"), "version"); v != nil {
		set.version = v.Value
	}
	if d := mapGet(root, "x-documents"); d != nil {
		for i := 0; i+1 < len(d.Content); i += 2 {
			var ref documentRef
			if err := d.Content[i+1].Decode(&ref); err == nil {
				c.docs[d.Content[i].Value] = ref
			}
		}
	}
	comps := mapGet(mapGet(root, "components"), "schemas")
	for _, ks := range kindSchemas {
		n := mapGet(comps, ks.schema)
		if n == nil {
			c.errs = append(c.errs, fmt.Errorf("%s: no components.schemas.%s for kind %s", rootFile, ks.schema, ks.kind))
			continue
		}
		set.kinds[ks.kind] = c.compileAt(rootFile, "/components/schemas/"+ks.schema, n, ks.schema)
	}
	hooks := mapGet(root, "webhooks")
	if hooks != nil {
		for i := 0; i+1 < len(hooks.Content); i += 2 {
			event := hooks.Content[i].Value
			ptr := "/webhooks/" + escapePointer(event) + "/post/requestBody/content/application~1json/schema"
			n := mapGet(mapGet(mapGet(mapGet(mapGet(hooks.Content[i+1], "post"), "requestBody"), "content"), "application/json"), "schema")
			if n == nil {
				c.errs = append(c.errs, fmt.Errorf("%s#%s: no schema", rootFile, ptr))
				continue
			}
			s, _ := c.compile(rootFile, ptr, n)
			set.webhooks[event] = s
			set.events = append(set.events, event)
		}
		sort.Strings(set.events)
	}
	// Compile every component schema of every file too, so lint and coverage see all of them.
	for _, name := range names {
		comps := mapGet(mapGet(c.files[name], "components"), "schemas")
		if comps == nil {
			continue
		}
		for i := 0; i+1 < len(comps.Content); i += 2 {
			cn := comps.Content[i].Value
			c.compileAt(name, "/components/schemas/"+escapePointer(cn), comps.Content[i+1], cn)
		}
	}
	if len(c.errs) > 0 {
		return nil, fmt.Errorf("load specs: %w", errors.Join(c.errs...))
	}
	set.schemas = c.memo
	for _, s := range c.memo {
		for _, p := range s.propList {
			if p.source == "" && strings.Contains(p.spec, "/properties/") {
				set.noSource = append(set.noSource, p.spec)
			} else if p.source != "" && !c.checkable(p.source) {
				set.uncheckable = append(set.uncheckable, p.spec+": x-source "+strconv.Quote(p.source)+" names no public document (a title in x-documents, \"Juspay docs <URL>\" or an official sample path)")
			}
		}
	}
	sort.Strings(set.noSource)
	slices.Sort(set.uncheckable)
	set.uncheckable = slices.Compact(set.uncheckable)
	set.errata = collectErrata(c, names)
	for _, name := range names {
		set.unknown = append(set.unknown, auditDocument(name, c.files[name])...)
	}
	return set, nil
}

// buildModel has libopenapi read the documents as OpenAPI 3.1 and resolve every reference, so a
// spec jpcheck accepts is one other OpenAPI tools accept too.
func buildModel(fsys fs.FS, root []byte) error {
	doc, err := libopenapi.NewDocumentWithConfiguration(root, &datamodel.DocumentConfiguration{
		// Not ".": libopenapi resolves it against the working directory and takes a directory
		// whose name has an extension (tmp.x1Yz, repo.git) for a file, failing every reference.
		// The files come from fsys; the base only has to be a directory name.
		BasePath:            embeddedBase,
		SpecFilePath:        rootFile,
		LocalFS:             fsys,
		AllowFileReferences: true,
	})
	if err != nil {
		return fmt.Errorf("load specs: %w", err)
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1") {
		return fmt.Errorf("load specs: %s is OpenAPI %q, want 3.1", rootFile, v)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return fmt.Errorf("load specs: %w", err)
	}
	if model == nil {
		return errors.New("load specs: libopenapi built no model")
	}
	var problems []error
	if idx := model.Index; idx != nil {
		for _, e := range idx.GetReferenceIndexErrors() {
			problems = append(problems, e)
		}
		if r := idx.GetRolodex(); r != nil {
			for _, e := range r.GetCaughtErrors() {
				problems = append(problems, e)
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("load specs: %w", errors.Join(problems...))
	}
	return nil
}

// Lint loads the specs and also reports what Load tolerates but a spec of ours must not have:
// properties without x-source or with one a user cannot look up, and schema keywords the validator does not implement (named by
// file#pointer, since the walker would silently skip them). It returns every problem, one per line.
func Lint(fsys fs.FS) []string {
	set, err := Load(fsys)
	if err != nil {
		var out []string
		for _, line := range strings.Split(err.Error(), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				out = append(out, line)
			}
		}
		return out
	}
	var out []string
	for _, p := range set.noSource {
		out = append(out, p+": property has no x-source")
	}
	out = append(out, set.uncheckable...)
	return append(out, set.unknown...)
}

// embeddedBase is the directory libopenapi is told the spec files are in: any absolute name
// without an extension, since they are read from the fs.FS given, never from the disk.
const embeddedBase = "/jpcheck-specs"
