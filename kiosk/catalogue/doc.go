// Package catalogue is the office's list of administrative procedures
// (thủ tục hành chính): their codes, papers, fees and time limits, and the
// service whose queue takes each one.
//
// A catalogue comes as one JSON file ([Parse] checks it and says where it
// is wrong, by procedure index and field). A [Store] keeps the one in force
// in the data directory, replaces it atomically with a new version and
// serves it as an [Index], which searches names with case, Vietnamese
// diacritics and Telex keystrokes ignored ([Fold], [FoldTelex]).
package catalogue
