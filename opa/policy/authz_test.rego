package blog.authz_test

import data.blog.authz

anonymous := {"id": null, "role": null, "authenticated": false}

alice := {"id": "a1", "role": "author", "authenticated": true}

erin := {"id": "e1", "role": "editor", "authenticated": true}

root := {"id": "r1", "role": "admin", "authenticated": true}

post(owner, status) := {"type": "post", "ownerId": owner, "status": status}

decide(operation, subject, resource) := d if {
	d := authz.decision with input as {
		"operation": operation,
		"subject": subject,
		"resource": resource,
		"now": "2025-01-01T00:00:00Z",
	}
}

allowed(operation, subject, resource) if decide(operation, subject, resource).allow

hidden(operation, subject, resource) if {
	d := decide(operation, subject, resource)
	not d.allow
	d.hide
}

forbidden(operation, subject, resource) if {
	d := decide(operation, subject, resource)
	not d.allow
	not d.hide
}

public_operations := [
	"getHealth", "registerUser", "createSession", "requestPasswordReset",
	"confirmPasswordReset", "getUser", "listCategories", "getCategory",
	"listPosts", "getPost", "getPostBySlug", "recordPostView", "listAttachments",
	"listTags", "getTag",
	"getPostsFeed", "getSitemap",
]

authenticated_operations := [
	"getCurrentUser", "updateCurrentUser", "listSessions", "deleteCurrentSession",
	"deleteSession", "createPost", "updatePost", "deletePost", "createAttachment",
	"completeAttachment", "deleteAttachment", "getJob",
	"listPostRevisions", "getPostRevision", "restorePostRevision", "listTrashedPosts",
	"restorePost",
]

test_every_operation_is_classified if {
	listed := {op | some op in public_operations} | {op | some op in authenticated_operations}
	admin_only := {"updateUserRole"} | webhook_operations
	staff := ({"createCategory", "updateCategory", "deleteCategory"} | tag_writes) | admin_only
	object.keys(authz.operations) == listed | staff
}

test_public_operations_open_to_anonymous if {
	every op in public_operations {
		allowed(op, anonymous, null)
	}
}

test_authenticated_operations if {
	every op in authenticated_operations {
		forbidden(op, anonymous, null)
		allowed(op, alice, null)
		allowed(op, erin, null)
	}
}

test_unknown_operation_denied if {
	decide("dropDatabase", root, null) == {"allow": false, "hide": false, "reason": "unknown operation"}
}

test_missing_input_is_unknown_operation if {
	authz.decision == {"allow": false, "hide": false, "reason": "unknown operation"} with input as {}
}

test_absent_resource_is_operation_level if {
	authz.decision.allow with input as {"operation": "updatePost", "subject": alice}
}

test_unauthenticated_flag_wins_over_role if {
	forbidden("createPost", {"id": "a1", "role": "author", "authenticated": false}, null)
	forbidden("createPost", {"id": "a1", "role": "intern", "authenticated": true}, null)
	forbidden("createPost", {"id": null, "role": "author", "authenticated": true}, null)
}

test_categories_need_editor if {
	every op in ["createCategory", "updateCategory", "deleteCategory"] {
		forbidden(op, anonymous, null)
		forbidden(op, alice, null)
		allowed(op, erin, null)
		allowed(op, root, null)
	}
}

tag_writes := {"createTag", "updateTag", "deleteTag"}

test_tag_writes_need_editor if {
	every op in tag_writes {
		forbidden(op, anonymous, null)
		forbidden(op, alice, null)
		allowed(op, erin, null)
		allowed(op, root, null)
	}
}

webhook_operations := {
	"listWebhooks", "createWebhook", "getWebhook", "updateWebhook", "deleteWebhook",
	"rotateWebhookSecret", "listWebhookDeliveries", "redeliverWebhookDelivery",
}

test_webhooks_need_admin if {
	every op in webhook_operations {
		forbidden(op, anonymous, null)
		forbidden(op, alice, null)
		forbidden(op, erin, null)
		decide(op, erin, null).reason == "requires admin"
		allowed(op, root, null)
	}
}

test_role_change_admin_only if {
	forbidden("updateUserRole", alice, null)
	forbidden("updateUserRole", erin, null)
	allowed("updateUserRole", root, {"type": "user", "ownerId": "a1", "status": null})
	decide("updateUserRole", erin, null).reason == "requires admin"
}

test_read_published_post if {
	every op in ["getPost", "getPostBySlug", "recordPostView", "listAttachments"] {
		allowed(op, anonymous, post("a1", "published"))
		allowed(op, erin, post("a1", "published"))
	}
}

test_read_unpublished_post if {
	every status in ["draft", "archived", null] {
		hidden("getPost", anonymous, post("a1", status))
		hidden("getPost", {"id": "b2", "role": "author", "authenticated": true}, post("a1", status))
		allowed("getPost", alice, post("a1", status))
		allowed("getPost", erin, post("a1", status))
		allowed("getPost", root, post("a1", status))
	}
}

test_write_post if {
	every op in ["updatePost", "deletePost", "createAttachment", "completeAttachment", "deleteAttachment"] {
		allowed(op, alice, post("a1", "draft"))
		allowed(op, erin, post("a1", "draft"))
		allowed(op, root, post("a1", "published"))
		hidden(op, alice, post("b2", "draft"))
		hidden(op, alice, post("b2", "archived"))
		forbidden(op, alice, post("b2", "published"))
		forbidden(op, anonymous, post("a1", "published"))
	}
}

test_owner_only_resources if {
	allowed("deleteSession", alice, {"type": "session", "ownerId": "a1", "status": null})
	hidden("deleteSession", alice, {"type": "session", "ownerId": "b2", "status": null})
	hidden("deleteSession", root, {"type": "session", "ownerId": "a1", "status": null})
	allowed("getJob", erin, {"type": "job", "ownerId": "e1", "status": null})
	hidden("getJob", erin, {"type": "job", "ownerId": "a1", "status": null})
	forbidden("getJob", anonymous, {"type": "job", "ownerId": null, "status": null})
}

test_resource_type_must_match if {
	decide("getPost", root, {"type": "job", "ownerId": "r1", "status": "published"}).reason == "unexpected resource type"
	forbidden("getJob", erin, {"ownerId": "e1"})
}

test_operations_without_resource_rule_ignore_resource if {
	allowed("getUser", anonymous, {"type": "user", "ownerId": "a1", "status": null})
}

test_post_listing_visibility if {
	decide("listPosts", anonymous, null).visibility == "published"
	decide("listPosts", alice, null).visibility == "published_or_own"
	decide("getPost", erin, null).visibility == "all"
	decide("listAttachments", root, null).visibility == "all"
	not decide("createPost", alice, null).visibility
	not decide("getPost", alice, post("a1", "draft")).visibility
}

test_edit_post_hides_from_all_but_editors if {
	every op in ["listPostRevisions", "getPostRevision", "restorePostRevision", "restorePost"] {
		every status in ["draft", "published", "archived"] {
			allowed(op, alice, post("a1", status))
			allowed(op, erin, post("a1", status))
			allowed(op, root, post("a1", status))
			hidden(op, alice, post("b2", status))
			forbidden(op, anonymous, post("a1", status))
		}
	}
}

test_trash_listing_visibility if {
	forbidden("listTrashedPosts", anonymous, null)
	decide("listTrashedPosts", alice, null).visibility == "published_or_own"
	decide("listTrashedPosts", erin, null).visibility == "all"
	decide("listTrashedPosts", root, null).visibility == "all"
}
