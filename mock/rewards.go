package mock

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/jpcheck/jpcheck/contracts"
	"github.com/jpcheck/jpcheck/specs"
)

// Twid_V2 test mode (twid-v2 § 3). The numbers, the OTP and the resend rules are an interface
// (docs/mock.md): fixtures name them.
const (
	// TwidRewardsMobile is an already linked customer with rewards: eligibility answers with
	// the documented rewards (BURN, EARN, BURN_EARN and vouchers).
	TwidRewardsMobile = "9742144874"
	// TwidExhaustedMobile is a linked customer who has used up every reward: is_eligible false.
	TwidExhaustedMobile = "9000000000"
	// TwidNewUserMobile is a first-time customer. Every number not named above is one too:
	// eligibility says otp_verification_required until the customer links the wallet
	// (authenticate, then link with TwidTestOTP), after which it answers with the rewards.
	TwidNewUserMobile = "9000000001"
	// TwidTestOTP is the OTP that links a wallet; it is the one of the documented link request.
	TwidTestOTP = "2748"

	// TwidResendWait, TwidResendLimit and TwidResendWindow: "Resend can be sent only after
	// every 15 sec for 5 times in a span of 30min" (twid-v2 § 3.3).
	TwidResendWait   = 15 * time.Second
	TwidResendLimit  = 5
	TwidResendWindow = 30 * time.Minute
)

// The errorCode values of a WalletResponse with error true. The document shows no wallet error,
// so these are the mock's own; they are stable.
const (
	TwidErrInvalidOTP    = "INVALID_OTP"
	TwidErrResendTooSoon = "RESEND_TOO_SOON"
	TwidErrResendLimit   = "RESEND_LIMIT_EXCEEDED"
	TwidErrAlreadyLinked = "ALREADY_LINKED"
)

// maxWallets bounds the wallets kept in memory; past it an old one is forgotten, so a load
// test calling authenticate forever cannot grow the mock without limit.
const maxWallets = 1 << 16

var twidVersionHeader = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// rewardsState is the Twid wallets, guarded by mu.
type rewardsState struct {
	mu      sync.Mutex
	wallets map[string]*twidWallet // by wallet id
	owners  map[walletOwner]string // customer and mobile number → wallet id

	// The documented responses the handlers fill in, read once at start-up; each request
	// decodes its own copy.
	eligibility    []byte // in strict form (the sample's bestRewardType is a lowercase "burn")
	paymentMethods []byte
	offer          []byte // the documented Cred offer, the template of every listed offer
}

// walletOwner keys a wallet: Twid links a merchant's customer to one mobile number.
type walletOwner struct{ customer, mobile string }

type twidWallet struct {
	id         string
	owner      walletOwner
	gatewayRef string
	token      string // set once linked
	linkedAt   time.Time
	lastOTP    time.Time
	resends    []time.Time // within the last TwidResendWindow
}

func newRewardsState() *rewardsState {
	return &rewardsState{wallets: map[string]*twidWallet{}, owners: map[walletOwner]string{}}
}

// loadTemplates reads the documented responses the rewards and offers handlers answer from.
func (s *Server) loadTemplates() error {
	rs := s.rewards
	data, err := specs.ExampleData("rewards-eligibility-response.json")
	if err != nil {
		return err
	}
	doc, err := s.canonical(contracts.KindEligibility, data)
	if err != nil {
		return err
	}
	if rs.eligibility, err = json.Marshal(doc); err != nil {
		return err
	}
	if rs.paymentMethods, err = specs.ExampleData("rewards-payment-methods-response.json"); err != nil {
		return err
	}
	rs.offer, err = specs.ExampleData("offers-cred-ec-api-list-response.json")
	return err
}

func (s *Server) handlePaymentMethods(w http.ResponseWriter, r *http.Request) {
	doc, err := decode(s.rewards.paymentMethods)
	if err != nil {
		internalError(w)
		return
	}
	doc["requestId"] = requestID()
	writeJSON(w, http.StatusOK, doc)
}

func (s *Server) handleEligibility(w http.ResponseWriter, r *http.Request) {
	// "This is mandatory for Twid v2 (format - YYYY-MM-DD)" (twid-v2 § 3.2).
	if v := r.Header.Get("version"); !twidVersionHeader.MatchString(v) {
		invalidInput(w, "version")
		return
	} else if _, err := time.Parse(time.DateOnly, v); err != nil {
		invalidInput(w, "version")
		return
	}
	p, err := params(r)
	if err != nil {
		badRequest(w, "Invalid request body")
		return
	}
	for _, f := range []string{"amount", "gateway_reference_id", "order_id", "mobile_number"} {
		if p[f] == "" {
			invalidInput(w, f)
			return
		}
	}
	if amt, ok := money(p["amount"]); !ok || amt <= 0 {
		invalidInput(w, "amount")
		return
	}
	doc, err := decode(s.rewards.eligibility)
	if err != nil {
		internalError(w)
		return
	}
	wallet, pme, ok := eligibilityBlocks(doc)
	if !ok {
		internalError(w)
		return
	}
	doc["requestId"] = requestID()
	customer := r.PathValue("customer_id")
	wallet["orderId"] = p["order_id"]
	wallet["customerId"] = customer
	mobile := p["mobile_number"]
	switch {
	case mobile == TwidExhaustedMobile:
		// "If the user has already exhausted all rewards, the response would be is_eligible:false".
		noRewards(pme, "You have used all your Twid rewards", false)
		pme["isEligible"] = false
		pme["gatewayErrorMessage"] = "rewards exhausted"
	case mobile == TwidRewardsMobile || s.rewards.linked(walletOwner{customer, mobile}):
		// The documented rewards, as they are.
	default:
		// "For a first time user who wasn't authenticated yet, reward_details would contain
		// otp_verification_required:true"; the rewards come after linking.
		noRewards(pme, "Link your Twid account to see your rewards", true)
	}
	writeJSON(w, http.StatusOK, doc)
}

// eligibilityBlocks finds payload.wallets[0] and its paymentMethodsEligibility[0].
func eligibilityBlocks(doc map[string]any) (wallet, pme map[string]any, ok bool) {
	payload, _ := doc["payload"].(map[string]any)
	wallets, _ := payload["wallets"].([]any)
	if len(wallets) == 0 {
		return nil, nil, false
	}
	wallet, _ = wallets[0].(map[string]any)
	list, _ := wallet["paymentMethodsEligibility"].([]any)
	if len(list) == 0 {
		return nil, nil, false
	}
	pme, ok = list[0].(map[string]any)
	return wallet, pme, ok
}

// noRewards empties the rewards of an eligibility block. bestRewardType and bestRewardId are
// required by the schema even when there is no reward: id 0 names none.
func noRewards(pme map[string]any, subTitle string, otp bool) {
	pme["redeemableInfo"] = []any{}
	pme["voucherInfo"] = []any{}
	pme["rewardDetails"] = map[string]any{"subTitle": subTitle, "bestRewardType": "BURN", "bestRewardId": 0, "otpVerificationRequired": otp}
}

func (s *Server) handleWalletAuthenticate(w http.ResponseWriter, r *http.Request) {
	p, err := params(r)
	if err != nil {
		badRequest(w, "Invalid request body")
		return
	}
	for _, f := range []string{"gateway", "command", "gateway_reference_id", "mobile_number"} {
		if p[f] == "" {
			invalidInput(w, f)
			return
		}
	}
	if p["command"] != "authenticate" {
		invalidInput(w, "command")
		return
	}
	if p["gateway"] != "TWID_V2" {
		invalidInput(w, "gateway")
		return
	}
	rs := s.rewards
	now := s.cfg.Clock()
	owner := walletOwner{r.PathValue("customer_id"), p["mobile_number"]}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	// Authenticating again returns the same wallet: the OTP already sent stands, and another
	// one is asked for with command=resend, which keeps the resend limits meaningful.
	wl := rs.wallets[rs.owners[owner]]
	if wl == nil {
		rs.evict()
		wl = &twidWallet{id: base62ID("wlm_", 16), owner: owner, gatewayRef: p["gateway_reference_id"], lastOTP: now}
		rs.wallets[wl.id] = wl
		rs.owners[owner] = wl.id
	}
	writeJSON(w, http.StatusOK, walletResponse(wl, now, "", ""))
}

// evict forgets a wallet when the map is full, preferring one that was never linked.
// The caller holds mu.
func (rs *rewardsState) evict() {
	if len(rs.wallets) < maxWallets {
		return
	}
	var victim *twidWallet
	n := 0
	for _, wl := range rs.wallets {
		victim = wl
		if wl.token == "" || n >= 64 {
			break
		}
		n++
	}
	delete(rs.wallets, victim.id)
	delete(rs.owners, victim.owner)
}

func (rs *rewardsState) linked(o walletOwner) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	wl := rs.wallets[rs.owners[o]]
	return wl != nil && wl.token != ""
}

func (s *Server) handleWallet(w http.ResponseWriter, r *http.Request) {
	p, err := params(r)
	if err != nil {
		badRequest(w, "Invalid request body")
		return
	}
	rs := s.rewards
	now := s.cfg.Clock()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	wl := rs.wallets[r.PathValue("wallet_id")]
	if wl == nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"status": "NOT_FOUND",
			"error_info": map[string]any{
				"user_message": "Wallet Not Found", "developer_message": "Wallet Not Found",
				"code": "RESOURCE_NOT_FOUND", "category": "USER_ERROR",
			},
		})
		return
	}
	// A refused link or resend is a WalletResponse with error true, with HTTP 200: the spec
	// declares only that response for this operation, and the envelope carries the error.
	switch p["command"] {
	case "link":
		otp := p["otp"]
		if otp == "" {
			invalidInput(w, "otp")
			return
		}
		switch {
		case wl.token != "":
			// Linking is one-time and there is no de-link (twid-v2 § 3.3): the wallet stays linked.
		case otp != TwidTestOTP:
			writeJSON(w, http.StatusOK, walletResponse(wl, now, TwidErrInvalidOTP, "The OTP entered is incorrect"))
			return
		default:
			wl.token = base62ID("tok_", 20)
			wl.linkedAt = now
		}
		writeJSON(w, http.StatusOK, walletResponse(wl, now, "", ""))
	case "resend":
		if code, msg := wl.resend(now); code != "" {
			writeJSON(w, http.StatusOK, walletResponse(wl, now, code, msg))
			return
		}
		writeJSON(w, http.StatusOK, walletResponse(wl, now, "", ""))
	default:
		invalidInput(w, "command")
	}
}

// resend sends the OTP again if the rules allow it, or returns the error code and message.
func (wl *twidWallet) resend(now time.Time) (code, msg string) {
	if wl.token != "" {
		return TwidErrAlreadyLinked, "The wallet is already linked"
	}
	if now.Sub(wl.lastOTP) < TwidResendWait {
		return TwidErrResendTooSoon, fmt.Sprintf("OTP can be resent only %d seconds after the last one", int(TwidResendWait/time.Second))
	}
	wl.pruneResends(now)
	if len(wl.resends) >= TwidResendLimit {
		return TwidErrResendLimit, fmt.Sprintf("OTP can be resent at most %d times in %d minutes", TwidResendLimit, int(TwidResendWindow/time.Minute))
	}
	wl.resends = append(wl.resends, now)
	wl.lastOTP = now
	return "", ""
}

// pruneResends drops the resends older than the window, which also bounds the slice.
func (wl *twidWallet) pruneResends(now time.Time) {
	kept := wl.resends[:0]
	for _, t := range wl.resends {
		if now.Sub(t) < TwidResendWindow {
			kept = append(kept, t)
		}
	}
	wl.resends = kept
}

// walletResponse is the WalletResponse of authenticate, link and resend (twid-v2 § 3.3);
// errCode set makes it an error response.
func walletResponse(wl *twidWallet, now time.Time, errCode, errMsg string) map[string]any {
	wl.pruneResends(now)
	linked := wl.token != ""
	var token, refreshed any
	if linked {
		token, refreshed = wl.token, wl.linkedAt.UTC().Format(time.RFC3339)
	}
	return map[string]any{
		"service":   "in.juspay.ec",
		"requestId": requestID(),
		"payload": map[string]any{
			"wallet": "TWID_V2",
			"token":  token,
			"auth_params": map[string]any{
				"is_resend_allowed": !linked && len(wl.resends) < TwidResendLimit,
				"resend_wait_time":  strconv.Itoa(int(TwidResendWait / time.Second)),
				"is_submit_allowed": !linked,
			},
			"last_refreshed":       refreshed,
			"object":               "wallet_account",
			"metadata":             map[string]any{"mobile_number": wl.owner.mobile},
			"id":                   wl.id,
			"current_balance":      nil,
			"gateway_reference_id": wl.gatewayRef,
			"sub_details": []any{map[string]any{
				"payment_method": "TWID", "payment_method_type": "REWARD",
				"last_refreshed": refreshed, "current_balance": nil,
			}},
			"linked": linked,
		},
		"errorMessage": errMsg,
		"errorCode":    errCode,
		"error":        errCode != "",
	}
}

// requestID is a fresh version 4 UUID, the form of the documented requestId values.
func requestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// base62ID is prefix and n random letters and digits, the form of the documented wallet id
// ("wlm_q2UkPy9Qk8gadYjc").
func base62ID(prefix string, n int) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b)
}
