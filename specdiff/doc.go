// Package specdiff compares two versions of the jpcheck specs and says which changes break
// whom. libopenapi's what-changed finds the changes; specdiff classifies them by where the
// changed schema is used, because libopenapi judges every request body, webhook payloads
// included, from the sender's side: a field removed from a webhook payload breaks the
// merchant that receives it exactly as a field removed from a response breaks its reader.
//
// Directions: a component reachable from a response is read by clients ("response"); one
// reachable from a webhook's request body, or declared in webhooks.yaml, is read by
// subscribers ("webhook"); one reachable from an operation's request body is written by
// clients ("request"). A component used in several ways is judged once per direction.
// Readers break when a property is removed, made optional, or its type or enum narrowed
// (or its type widened); senders break when a property becomes required or a type or enum
// is narrowed, and not when a property is removed.
package specdiff
