package report

// For the tests of package report_test.
const CacheVersion = cacheVersion

// V2Day is a day summary as cache version 2 stored it.
var V2Day = v2Day
