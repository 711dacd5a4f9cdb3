package referral

// RealNameField is the field name a member's real name is sealed under (owner: the member),
// for `sharecast secrets rotate`.
const RealNameField = "real_name"
