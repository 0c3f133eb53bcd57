package suites

func flowSpecs(e *env) {}
