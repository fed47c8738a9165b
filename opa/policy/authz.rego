# Authorization decisions for the blog API.
#
# Evaluated in-process from a wasm build (see docs/opa.md); keep to builtins
# listed in opa/capabilities.json. The host passes `now`, so no time.* calls.
package blog.authz

# Every contract operation, with its operation-level gate and its
# resource-level rule. `type` is the resource type the rule expects;
# `visibility` adds which posts the subject may list to the
# operation-level decision, for queries that filter rather than check.
operations := {
	"getHealth": {"gate": "everyone", "rule": "none"},
	"registerUser": {"gate": "everyone", "rule": "none"},
	"createSession": {"gate": "everyone", "rule": "none"},
	"requestPasswordReset": {"gate": "everyone", "rule": "none"},
	"confirmPasswordReset": {"gate": "everyone", "rule": "none"},
	"getUser": {"gate": "everyone", "rule": "none"},
	"listCategories": {"gate": "everyone", "rule": "none"},
	"getCategory": {"gate": "everyone", "rule": "none"},
	"getPostsFeed": {"gate": "everyone", "rule": "none"},
	"getSitemap": {"gate": "everyone", "rule": "none"},
	"getCurrentUser": {"gate": "authenticated", "rule": "none"},
	"updateCurrentUser": {"gate": "authenticated", "rule": "none"},
	"listSessions": {"gate": "authenticated", "rule": "none"},
	"deleteCurrentSession": {"gate": "authenticated", "rule": "none"},
	"deleteSession": {"gate": "authenticated", "rule": "owner", "type": "session"},
	"updateUserRole": {"gate": "admin", "rule": "none"},
	"listWebhooks": {"gate": "admin", "rule": "none"},
	"createWebhook": {"gate": "admin", "rule": "none"},
	"getWebhook": {"gate": "admin", "rule": "none"},
	"updateWebhook": {"gate": "admin", "rule": "none"},
	"deleteWebhook": {"gate": "admin", "rule": "none"},
	"rotateWebhookSecret": {"gate": "admin", "rule": "none"},
	"listWebhookDeliveries": {"gate": "admin", "rule": "none"},
	"redeliverWebhookDelivery": {"gate": "admin", "rule": "none"},
	"createCategory": {"gate": "editor", "rule": "none"},
	"updateCategory": {"gate": "editor", "rule": "none"},
	"deleteCategory": {"gate": "editor", "rule": "none"},
	"listTags": {"gate": "everyone", "rule": "none"},
	"getTag": {"gate": "everyone", "rule": "none"},
	"createTag": {"gate": "editor", "rule": "none"},
	"updateTag": {"gate": "editor", "rule": "none"},
	"deleteTag": {"gate": "editor", "rule": "none"},
	"listPosts": {"gate": "everyone", "rule": "none", "visibility": true},
	"getPost": {"gate": "everyone", "rule": "read_post", "type": "post", "visibility": true},
	"getPostBySlug": {"gate": "everyone", "rule": "read_post", "type": "post", "visibility": true},
	"createPost": {"gate": "authenticated", "rule": "none"},
	"updatePost": {"gate": "authenticated", "rule": "write_post", "type": "post"},
	"deletePost": {"gate": "authenticated", "rule": "write_post", "type": "post"},
	"recordPostView": {"gate": "everyone", "rule": "read_post", "type": "post", "visibility": true},
	"listAttachments": {"gate": "everyone", "rule": "read_post", "type": "post", "visibility": true},
	"createAttachment": {"gate": "authenticated", "rule": "write_post", "type": "post"},
	"completeAttachment": {"gate": "authenticated", "rule": "write_post", "type": "post"},
	"deleteAttachment": {"gate": "authenticated", "rule": "write_post", "type": "post"},
	"getJob": {"gate": "authenticated", "rule": "owner", "type": "job"},
	"listPostRevisions": {"gate": "authenticated", "rule": "edit_post", "type": "post"},
	"getPostRevision": {"gate": "authenticated", "rule": "edit_post", "type": "post"},
	"restorePostRevision": {"gate": "authenticated", "rule": "edit_post", "type": "post"},
	"listTrashedPosts": {"gate": "authenticated", "rule": "none", "visibility": true},
	"restorePost": {"gate": "authenticated", "rule": "edit_post", "type": "post"},
}

roles := {"author": 1, "editor": 2, "admin": 3}

default decision := {"allow": false, "hide": false, "reason": "default deny"}

decision := _deny("unknown operation") if {
	not _op
} else := _deny(concat("", ["requires ", _op.gate])) if {
	not _gate_passed
} else := object.union(_allow(concat("", ["open to ", _op.gate])), {"visibility": _visibility}) if {
	_no_resource
	_op.visibility
} else := _allow(concat("", ["open to ", _op.gate])) if {
	_no_resource
} else := _allow(concat("", ["open to ", _op.gate])) if {
	_op.rule == "none"
} else := _deny("unexpected resource type") if {
	not _resource_type_ok
} else := _read_post if {
	_op.rule == "read_post"
} else := _write_post if {
	_op.rule == "write_post"
} else := _edit_post if {
	_op.rule == "edit_post"
} else := _owner_only if {
	_op.rule == "owner"
}

_op := operations[input.operation]

_gate_passed if _gate_open(_op.gate)

_allow(reason) := {"allow": true, "hide": false, "reason": reason}

_deny(reason) := {"allow": false, "hide": false, "reason": reason}

_hide(reason) := {"allow": false, "hide": true, "reason": reason}

# A subject counts as authenticated only with an id and a known role.
_authenticated if {
	input.subject.authenticated == true
	is_string(input.subject.id)
	roles[input.subject.role]
}

default _rank := 0

_rank := roles[input.subject.role] if _authenticated

_gate_open("everyone")

_gate_open("authenticated") if _authenticated

_gate_open("editor") if _rank >= roles.editor

_gate_open("admin") if _rank >= roles.admin

_no_resource if not input.resource

_resource_type_ok if input.resource.type == _op.type

_no_resource if input.resource == null

_owner if {
	_authenticated
	input.resource.ownerId == input.subject.id
}

_staff if _rank >= roles.editor

_read_post := _allow("published") if {
	input.resource.status == "published"
} else := _allow("owner") if {
	_owner
} else := _allow("staff") if {
	_staff
} else := _hide("not visible")

_write_post := _allow("owner") if {
	_owner
} else := _allow("staff") if {
	_staff
} else := _deny("not the owner") if {
	_read_post.allow
} else := _hide("not visible")

# Revisions and the trash: only those who may edit the post see it at all, whatever its
# status, so anyone else is answered as for a missing post (404), never 403.
_edit_post := _allow("owner") if {
	_owner
} else := _allow("staff") if {
	_staff
} else := _hide("not visible")

_visibility := "all" if {
	_staff
} else := "published_or_own" if {
	_authenticated
} else := "published"

_owner_only := _allow("owner") if {
	_owner
} else := _hide("not the owner")
