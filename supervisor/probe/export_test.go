package probe

var BrokersPresent = brokersPresent
