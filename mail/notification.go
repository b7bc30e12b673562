package mail

// TemplateNotification tells a member of the team about a notification,
// such as an alert rule that fired; its data is Notification.
const TemplateNotification = "notification"

// Notification is the data of the notification template.
type Notification struct {
	// Name greets the recipient; empty greets without one.
	Name string
	// Company is the workspace's name.
	Company string
	Kind    string
	Title   string
	// Body is plain text; blank lines part paragraphs.
	Body string
	// URL opens the notification's case, response or customer in cxm.
	URL string
}
