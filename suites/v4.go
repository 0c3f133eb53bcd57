package suites

func v4Specs(e *env) {}
