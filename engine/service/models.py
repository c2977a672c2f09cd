"""The SCIM resources the service serves (issue 5): User with the enterprise extension, the
custom attributes of SPEC 3, the read-only placement extension, and Group.

Built on scim2-models; scim2-server derives /Schemas and /ResourceTypes from these models.
"""

from __future__ import annotations

from typing import Annotated, Any  # `Any`: a validator's input, before pydantic checks it

from pydantic import Field, model_validator
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    EnterpriseUser,
    ETag,
    Extension,
    Filter,
    Group,
    Patch,
    Reference,
    ResourceType,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    User,
)
from scim2_models.annotations import CaseExact, Mutability, Required
from scim2_models.resources.enterprise_user import Manager

PLACEMENT_NS = "urn:scim-assistant:schemas:extension:placement:2.0:User"
MAX_RESULTS = 1000


class LenientManager(Manager):
    """The enterprise manager as IdPs send it: `{"value": id}` without `$ref` (RFC 7643 8.7.1
    does not require it), `{"Value": id}` (Entra ID's case), or a bare id string."""

    value: Annotated[str | None, Required.false, CaseExact.true] = None
    """The id of the SCIM resource representing the User's manager."""

    ref: Annotated[Reference[User] | None, Required.false] = Field(
        None, serialization_alias="$ref", validation_alias="$ref")
    """The URI of the SCIM resource representing the User's manager."""

    @model_validator(mode="before")
    @classmethod
    def _manager_as_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"value": value} if value.strip() else {}
        if isinstance(value, dict):
            # attribute names are case-insensitive (RFC 7643 2.1)
            wanted = {"value": "value", "$ref": "$ref", "displayname": "displayName"}
            return {wanted.get(k.lower(), k): v for k, v in value.items()}
        return value


class AssistantEnterpriseUser(EnterpriseUser):
    """The enterprise extension plus the office and license attributes IdPs map into it (SPEC 3)."""

    manager: LenientManager | None = None
    office_name: str | None = None
    """The office the user belongs to (a Dialpad office name)."""

    physical_delivery_office_name: str | None = None
    """The office location, as Entra ID and AD call it."""

    license_type: str | None = None
    """One of the license types, when the IdP assigns it per user."""


class AssistantUser(User):
    """The core User; SPEC 3 also reads the office and license attributes at top level."""

    office_name: str | None = None
    """The office the user belongs to, when the IdP maps it at top level."""

    physical_delivery_office_name: str | None = None
    """The office location, at top level."""

    department: str | None = None
    """The department, at top level."""

    license_type: str | None = None
    """The license type, at top level."""


RO = Mutability.read_only


class Placement(Extension):
    """Where the service placed the user: the values of the preview row (SPEC 7). Read-only."""

    __schema__ = URN(PLACEMENT_NS)

    office: Annotated[str | None, RO] = None
    """The office the user was placed in."""

    office_rule: Annotated[str | None, RO] = None
    """field, country, best_match or default_office."""

    license: Annotated[str | None, RO] = None
    """The license type given."""

    license_rule: Annotated[str | None, RO] = None
    """group, attribute or default."""

    seat: Annotated[str | None, RO] = None
    """available or purchased."""

    number: Annotated[str | None, RO] = None
    """The E.164 number assigned, if any."""

    number_source: Annotated[str | None, RO] = None
    """reserved, area_code, contact_center or auto_assign_off."""

    area_code: Annotated[str | None, RO] = None
    """The area code a new number is bought in, when the pool was empty."""

    prorated_cost: Annotated[float | None, RO] = None
    """The prorated cost of a purchased seat for the current billing period."""


# scim2-models parametrises resources by their extensions at run time; mypy sees no TypeVar.
UserModel = AssistantUser[AssistantEnterpriseUser | Placement]  # type: ignore[type-arg]

# Entra ID's quirks: `remove` with a value, PATCH paths whose filter matches nothing yet.
POLICY = ScimPolicy(remove_value_as_filter=ScimPolicy.RemoveValue.apply,
                    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create)


def service_config() -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=True, max_operations=1000, max_payload_size=4 * 1024 * 1024),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=True),
        etag=ETag(supported=True),
        authentication_schemes=[AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken, name="Bearer token",
            description="The token in SCIM_ASSISTANT_TOKEN, as 'Authorization: Bearer <token>'",
            primary=True)],
    )


def build_provider() -> ScimProvider:
    user_type = ResourceType.from_resource(UserModel)
    group_type = ResourceType.from_resource(Group)
    return ScimProvider(models=[AssistantUser, AssistantEnterpriseUser, Placement, Group],
                        resource_types=[user_type, group_type], config=service_config(),
                        policy=POLICY)
