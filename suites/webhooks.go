package suites

func webhookSpecs(e *env) {}
