package leaderboard

// RobotKeyField is the field name a WeCom robot's webhook key is sealed under (owner: the
// brand), for `sharecast secrets rotate`.
func RobotKeyField(robotID string) string { return robotKeyField(robotID) }
