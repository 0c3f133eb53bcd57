package contracts

import (
	"regexp"
	"strings"
)

// Shapes the payment domain fixes whatever a document's field table says ("String, Max Length
// 256"): a wrong shape is an error under both profiles. Specs name them with format, so every
// field that carries one is checked the same way (specs/README.md lists where each applies).

var (
	reExpiryMonth = regexp.MustCompile(`^(0[1-9]|1[0-2])$`)
	reExpiryYear  = regexp.MustCompile(`^[0-9]{4}$`)
	reLastFour    = regexp.MustCompile(`^[0-9]{4}$`)
	reCardISIN    = regexp.MustCompile(`^[0-9]{6,8}$`)
	// RBI's IFSC: four letters of the bank, a 0, six characters of the branch.
	reIFSC = regexp.MustCompile(`^[A-Z]{4}0[A-Z0-9]{6}$`)
	// NPCI's virtual payment address: name@handle; the handle names the PSP.
	reVPA = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,255}@[A-Za-z][A-Za-z0-9.-]{1,63}$`)
	// Indian mobile numbers: ten digits, the first 6-9 (the TRAI numbering plan).
	reIndianMobile = regexp.MustCompile(`^[6-9][0-9]{9}$`)
)

// iso4217 is the list of active ISO 4217 currency codes (SIX, amendment 179, 2025), without the
// fund, precious-metal, testing and "no currency" codes (BOV, CHE, XAU, XTS, XXX, ...), which
// no payment is made in.
var iso4217 = func() map[string]bool {
	const codes = `AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD
BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN
MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR
SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD
UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG`
	m := map[string]bool{}
	for _, c := range strings.Fields(codes) {
		m[c] = true
	}
	return m
}()

func isCurrency(s string) bool { return iso4217[s] }
