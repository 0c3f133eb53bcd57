package suites

// Labels select areas with --label-filter. They are an interface: never rename one.
const (
	LabelOrderStatus = "order-status"
	LabelV4          = "v4"
	LabelWebhooks    = "webhooks"
	LabelOffers      = "offers"
	LabelRewards     = "rewards"
	LabelErrors      = "errors"
	LabelFlows       = "flows"
)

// AreaLabels lists the area labels in the order the README documents them.
func AreaLabels() []string {
	return []string{LabelOrderStatus, LabelV4, LabelWebhooks, LabelOffers, LabelRewards, LabelErrors, LabelFlows}
}
