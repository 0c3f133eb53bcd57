package mock

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// The files LoadOrCreateKeys reads from, or writes to, its directory. A client of the mock is
// configured with KeyIDFile, MerchantPrivateKeyFile and ServerPublicKeyFile, the three things
// the Juspay dashboard's JWT zip and key id give a merchant (facts § 2.1).
const (
	KeyIDFile              = "key_id"
	ServerPrivateKeyFile   = "juspay_private_key.pem"
	ServerPublicKeyFile    = "juspay_public_key.pem"
	MerchantPrivateKeyFile = "merchant_private_key.pem"
	MerchantPublicKeyFile  = "merchant_public_key.pem"
)

// KeyBits is the size of the RSA keys the mock makes; Juspay's JWTs use 2048-bit pairs (facts
// § 2.1), and smaller keys are refused on load.
const KeyBits = 2048

// maxKeyFileBytes bounds what LoadOrCreateKeys reads from one file; a 4096-bit PEM is ~3.3 KB.
const maxKeyFileBytes = 64 << 10

// Keys are the JWE/JWS keys of /v4/order-status: the server's pair (the one Juspay holds: it
// decrypts requests and signs responses), the merchant's pair (it signs requests and decrypts
// responses) and the key id both sides put in their JWS and JWE headers.
type Keys struct {
	kid   string
	files KeyFiles
	once  sync.Once
	pairs *keyPairs
	err   error
}

// KeyFiles are the paths of a key directory's files; all empty for in-memory keys.
type KeyFiles struct {
	Dir, KeyID, ServerPrivate, ServerPublic, MerchantPrivate, MerchantPublic string
}

type keyPairs struct {
	server, merchant *rsa.PrivateKey
}

// NewKeys makes a fresh key id and fresh in-memory key pairs. The pairs are generated on first
// use: every Server gets keys, two 2048-bit pairs cost about 150 ms on a small machine, and
// most servers (tests, jpcheck conform's embedded target) never serve the V4 API.
func NewKeys() (*Keys, error) {
	return &Keys{kid: randomID("key_", 16)}, nil
}

// LoadOrCreateKeys reads the key pairs and key id from dir (see KeyIDFile and the other file
// names), or, when dir holds none of those files, creates dir and writes fresh ones there:
// private keys 0600 PKCS #1, public keys PKIX, the key id on one line. A directory holding only
// some of the files is an error, so a user's keys are never overwritten.
func LoadOrCreateKeys(dir string) (*Keys, error) {
	files := keyFilesIn(dir)
	var present, missing []string
	for _, p := range files.list() {
		_, err := os.Stat(p)
		switch {
		case err == nil:
			present = append(present, p)
		case errors.Is(err, fs.ErrNotExist):
			missing = append(missing, filepath.Base(p))
		default:
			return nil, err
		}
	}
	switch {
	case len(present) == 0:
		return createKeys(files)
	case len(missing) > 0:
		return nil, fmt.Errorf("incomplete key directory %s: missing %s (remove the other files to start afresh)", dir, strings.Join(missing, ", "))
	}
	return loadKeys(files)
}

// KeyID is the key id (kid) both sides send in their JWS and JWE headers.
func (k *Keys) KeyID() string { return k.kid }

// Files are the paths of the key files; all empty for in-memory keys.
func (k *Keys) Files() KeyFiles { return k.files }

// ServerPrivateKeyPEM is the server's (Juspay's) private key, PKCS #1 PEM.
func (k *Keys) ServerPrivateKeyPEM() ([]byte, error) {
	p, err := k.keyPairs()
	if err != nil {
		return nil, err
	}
	return privatePEM(p.server), nil
}

// ServerPublicKeyPEM is the server's (Juspay's) public key, PKIX PEM: a client encrypts
// requests to it and verifies responses with it.
func (k *Keys) ServerPublicKeyPEM() ([]byte, error) {
	p, err := k.keyPairs()
	if err != nil {
		return nil, err
	}
	return publicPEM(&p.server.PublicKey)
}

// MerchantPrivateKeyPEM is the merchant's private key, PKCS #1 PEM: a client signs requests and
// decrypts responses with it.
func (k *Keys) MerchantPrivateKeyPEM() ([]byte, error) {
	p, err := k.keyPairs()
	if err != nil {
		return nil, err
	}
	return privatePEM(p.merchant), nil
}

// MerchantPublicKeyPEM is the merchant's public key, PKIX PEM.
func (k *Keys) MerchantPublicKeyPEM() ([]byte, error) {
	p, err := k.keyPairs()
	if err != nil {
		return nil, err
	}
	return publicPEM(&p.merchant.PublicKey)
}

// keyPairs returns the pairs, generating them on first use for NewKeys' keys.
func (k *Keys) keyPairs() (*keyPairs, error) {
	k.once.Do(func() {
		if k.pairs == nil && k.err == nil {
			k.pairs, k.err = generateKeyPairs()
		}
	})
	return k.pairs, k.err
}

func generateKeyPairs() (*keyPairs, error) {
	server, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return nil, fmt.Errorf("generate server key: %w", err)
	}
	merchant, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return nil, fmt.Errorf("generate merchant key: %w", err)
	}
	return &keyPairs{server: server, merchant: merchant}, nil
}

func keyFilesIn(dir string) KeyFiles {
	return KeyFiles{
		Dir:             dir,
		KeyID:           filepath.Join(dir, KeyIDFile),
		ServerPrivate:   filepath.Join(dir, ServerPrivateKeyFile),
		ServerPublic:    filepath.Join(dir, ServerPublicKeyFile),
		MerchantPrivate: filepath.Join(dir, MerchantPrivateKeyFile),
		MerchantPublic:  filepath.Join(dir, MerchantPublicKeyFile),
	}
}

func (f KeyFiles) list() []string {
	return []string{f.KeyID, f.ServerPrivate, f.ServerPublic, f.MerchantPrivate, f.MerchantPublic}
}

func createKeys(files KeyFiles) (*Keys, error) {
	p, err := generateKeyPairs()
	if err != nil {
		return nil, err
	}
	k := &Keys{kid: randomID("key_", 16), files: files, pairs: p}
	serverPub, err := publicPEM(&p.server.PublicKey)
	if err != nil {
		return nil, err
	}
	merchantPub, err := publicPEM(&p.merchant.PublicKey)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(files.Dir, 0o700); err != nil {
		return nil, err
	}
	writes := []struct {
		path string
		data []byte
		perm fs.FileMode
	}{
		{files.ServerPrivate, privatePEM(p.server), 0o600},
		{files.MerchantPrivate, privatePEM(p.merchant), 0o600},
		{files.ServerPublic, serverPub, 0o644},
		{files.MerchantPublic, merchantPub, 0o644},
		{files.KeyID, []byte(k.kid + "\n"), 0o644},
	}
	for i, wr := range writes {
		if err := writeNewFile(wr.path, wr.data, wr.perm); err != nil {
			// Leave no half-made directory behind: the next run would refuse it as incomplete.
			for _, done := range writes[:i] {
				os.Remove(done.path)
			}
			return nil, err
		}
	}
	return k, nil
}

// writeNewFile writes data to a file that must not exist yet, so a concurrent run's keys are
// never overwritten.
func writeNewFile(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

func loadKeys(files KeyFiles) (*Keys, error) {
	kid, err := readKeyID(files.KeyID)
	if err != nil {
		return nil, err
	}
	server, err := readPrivateKey(files.ServerPrivate)
	if err != nil {
		return nil, err
	}
	merchant, err := readPrivateKey(files.MerchantPrivate)
	if err != nil {
		return nil, err
	}
	// The public files are what clients are configured with: one that does not match its
	// private key would make every V4 call fail with a signature or decryption error.
	if err := checkPublicKey(files.ServerPublic, server); err != nil {
		return nil, err
	}
	if err := checkPublicKey(files.MerchantPublic, merchant); err != nil {
		return nil, err
	}
	return &Keys{kid: kid, files: files, pairs: &keyPairs{server: server, merchant: merchant}}, nil
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > maxKeyFileBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes, not a key file", path, maxKeyFileBytes)
	}
	return b, nil
}

func readKeyID(path string) (string, error) {
	b, err := readBounded(path)
	if err != nil {
		return "", err
	}
	kid := strings.TrimSpace(string(b))
	if kid == "" || len(kid) > 256 || strings.IndexFunc(kid, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		return "", fmt.Errorf("%s: want the key id on one line of printable ASCII without spaces (e.g. key_<32 hex>)", path)
	}
	return kid, nil
}

func pemBlock(path string, b []byte) (*pem.Block, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block found", path)
	}
	return block, nil
}

// readPrivateKey reads an RSA private key in PKCS #1 ("RSA PRIVATE KEY", as the Juspay samples
// show) or PKCS #8 ("PRIVATE KEY", what openssl genpkey writes).
func readPrivateKey(path string) (*rsa.PrivateKey, error) {
	b, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	block, err := pemBlock(path, b)
	if err != nil {
		return nil, err
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		var k any
		if k, err = x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
			var ok bool
			if key, ok = k.(*rsa.PrivateKey); !ok {
				return nil, fmt.Errorf("%s: a %T, want an RSA private key", path, k)
			}
		}
	default:
		return nil, fmt.Errorf("%s: PEM block %q, want an RSA private key", path, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: malformed RSA private key: %v", path, err)
	}
	if bits := key.N.BitLen(); bits < KeyBits {
		return nil, fmt.Errorf("%s: a %d-bit RSA key, want at least %d bits", path, bits, KeyBits)
	}
	return key, nil
}

// checkPublicKey reads an RSA public key in PKIX ("PUBLIC KEY") or PKCS #1 ("RSA PUBLIC KEY")
// form and checks it belongs to priv.
func checkPublicKey(path string, priv *rsa.PrivateKey) error {
	b, err := readBounded(path)
	if err != nil {
		return err
	}
	block, err := pemBlock(path, b)
	if err != nil {
		return err
	}
	var pub *rsa.PublicKey
	switch block.Type {
	case "PUBLIC KEY":
		var k any
		if k, err = x509.ParsePKIXPublicKey(block.Bytes); err == nil {
			var ok bool
			if pub, ok = k.(*rsa.PublicKey); !ok {
				return fmt.Errorf("%s: a %T, want an RSA public key", path, k)
			}
		}
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return fmt.Errorf("%s: PEM block %q, want an RSA public key", path, block.Type)
	}
	if err != nil {
		return fmt.Errorf("%s: malformed RSA public key: %v", path, err)
	}
	if !pub.Equal(&priv.PublicKey) {
		return fmt.Errorf("%s: does not match its private key", path)
	}
	return nil
}

func privatePEM(k *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

func publicPEM(k *rsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
