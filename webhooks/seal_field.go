package webhooks

// SealField is the field name an endpoint's signing secret is sealed under (owner: the brand),
// for `sharecast secrets rotate`.
func SealField() string { return sealField }
