package suites

func rewardSpecs(e *env) {}
