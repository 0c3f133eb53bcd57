package suites

func errorSpecs(e *env) {}
