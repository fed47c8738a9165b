"""Contains all the data models used in inputs/outputs"""

from .acknowledgement import Acknowledgement
from .acknowledgement_envelope import AcknowledgementEnvelope
from .acknowledgement_status import AcknowledgementStatus
from .api_error import ApiError
from .attachment import Attachment
from .attachment_content_type import AttachmentContentType
from .attachment_create import AttachmentCreate
from .attachment_envelope import AttachmentEnvelope
from .attachment_list_envelope import AttachmentListEnvelope
from .attachment_status import AttachmentStatus
from .attachment_upload import AttachmentUpload
from .attachment_upload_envelope import AttachmentUploadEnvelope
from .category import Category
from .category_create import CategoryCreate
from .category_envelope import CategoryEnvelope
from .category_list_envelope import CategoryListEnvelope
from .category_update import CategoryUpdate
from .category_webhook_event import CategoryWebhookEvent
from .category_webhook_event_type import CategoryWebhookEventType
from .error_code import ErrorCode
from .error_detail import ErrorDetail
from .error_envelope import ErrorEnvelope
from .health import Health
from .health_status import HealthStatus
from .job import Job
from .job_envelope import JobEnvelope
from .job_result import JobResult
from .job_status import JobStatus
from .list_meta import ListMeta
from .new_session import NewSession
from .new_session_envelope import NewSessionEnvelope
from .new_webhook import NewWebhook
from .new_webhook_envelope import NewWebhookEnvelope
from .page_meta import PageMeta
from .password_reset_confirm import PasswordResetConfirm
from .password_reset_request import PasswordResetRequest
from .post import Post
from .post_create import PostCreate
from .post_envelope import PostEnvelope
from .post_event_data import PostEventData
from .post_list_envelope import PostListEnvelope
from .post_revision import PostRevision
from .post_revision_envelope import PostRevisionEnvelope
from .post_revision_list_envelope import PostRevisionListEnvelope
from .post_snapshot import PostSnapshot
from .post_status import PostStatus
from .post_update import PostUpdate
from .post_webhook_event import PostWebhookEvent
from .post_webhook_event_type import PostWebhookEventType
from .presigned_upload import PresignedUpload
from .public_user import PublicUser
from .public_user_envelope import PublicUserEnvelope
from .revision_field import RevisionField
from .session import Session
from .session_create import SessionCreate
from .session_list_envelope import SessionListEnvelope
from .tag import Tag
from .tag_create import TagCreate
from .tag_envelope import TagEnvelope
from .tag_list_envelope import TagListEnvelope
from .tag_ref import TagRef
from .tag_update import TagUpdate
from .tag_webhook_event import TagWebhookEvent
from .tag_webhook_event_type import TagWebhookEventType
from .trashed_post import TrashedPost
from .trashed_post_list_envelope import TrashedPostListEnvelope
from .upload_fields import UploadFields
from .upload_method import UploadMethod
from .user import User
from .user_create import UserCreate
from .user_envelope import UserEnvelope
from .user_role import UserRole
from .user_role_update import UserRoleUpdate
from .user_update import UserUpdate
from .view_count import ViewCount
from .view_count_envelope import ViewCountEnvelope
from .webhook import Webhook
from .webhook_attempt import WebhookAttempt
from .webhook_create import WebhookCreate
from .webhook_delivery import WebhookDelivery
from .webhook_delivery_envelope import WebhookDeliveryEnvelope
from .webhook_delivery_list_envelope import WebhookDeliveryListEnvelope
from .webhook_delivery_status import WebhookDeliveryStatus
from .webhook_envelope import WebhookEnvelope
from .webhook_event_type import WebhookEventType
from .webhook_list_envelope import WebhookListEnvelope
from .webhook_update import WebhookUpdate

__all__ = (
    "Acknowledgement",
    "AcknowledgementEnvelope",
    "AcknowledgementStatus",
    "ApiError",
    "Attachment",
    "AttachmentContentType",
    "AttachmentCreate",
    "AttachmentEnvelope",
    "AttachmentListEnvelope",
    "AttachmentStatus",
    "AttachmentUpload",
    "AttachmentUploadEnvelope",
    "Category",
    "CategoryCreate",
    "CategoryEnvelope",
    "CategoryListEnvelope",
    "CategoryUpdate",
    "CategoryWebhookEvent",
    "CategoryWebhookEventType",
    "ErrorCode",
    "ErrorDetail",
    "ErrorEnvelope",
    "Health",
    "HealthStatus",
    "Job",
    "JobEnvelope",
    "JobResult",
    "JobStatus",
    "ListMeta",
    "NewSession",
    "NewSessionEnvelope",
    "NewWebhook",
    "NewWebhookEnvelope",
    "PageMeta",
    "PasswordResetConfirm",
    "PasswordResetRequest",
    "Post",
    "PostCreate",
    "PostEnvelope",
    "PostEventData",
    "PostListEnvelope",
    "PostRevision",
    "PostRevisionEnvelope",
    "PostRevisionListEnvelope",
    "PostSnapshot",
    "PostStatus",
    "PostUpdate",
    "PostWebhookEvent",
    "PostWebhookEventType",
    "PresignedUpload",
    "PublicUser",
    "PublicUserEnvelope",
    "RevisionField",
    "Session",
    "SessionCreate",
    "SessionListEnvelope",
    "Tag",
    "TagCreate",
    "TagEnvelope",
    "TagListEnvelope",
    "TagRef",
    "TagUpdate",
    "TagWebhookEvent",
    "TagWebhookEventType",
    "TrashedPost",
    "TrashedPostListEnvelope",
    "UploadFields",
    "UploadMethod",
    "User",
    "UserCreate",
    "UserEnvelope",
    "UserRole",
    "UserRoleUpdate",
    "UserUpdate",
    "ViewCount",
    "ViewCountEnvelope",
    "Webhook",
    "WebhookAttempt",
    "WebhookCreate",
    "WebhookDelivery",
    "WebhookDeliveryEnvelope",
    "WebhookDeliveryListEnvelope",
    "WebhookDeliveryStatus",
    "WebhookEnvelope",
    "WebhookEventType",
    "WebhookListEnvelope",
    "WebhookUpdate",
)
