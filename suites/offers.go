package suites

func offerSpecs(e *env) {}
