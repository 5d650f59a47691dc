package probe

var BrokersPresent = brokersPresent
var RegisteredAt = registeredAt
