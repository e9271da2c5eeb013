/**
 * CreateUser, DescribeUser, ListUsers, DeleteUser, UpdateUserRoutingProfile.
 *
 * Errors: InvalidRequestException (DeleteUser of an agent holding a contact), InvalidParameterException
 * (the rules below), DuplicateResourceException (a taken username), ResourceNotFoundException (the
 * instance, user or routing profile), LimitExceededException (quotas.usersPerInstance), ThrottlingException,
 * InternalServiceException.
 *
 * CreateUser enforces, beyond the model: Password required on a CONNECT_MANAGED instance and refused on
 * others; IdentityInfo FirstName and LastName required on CONNECT_MANAGED and SAML instances; Username of
 * letters, digits and `_-.@` (`@` only in an email address), at most 20 characters (64 with SAML);
 * DeskPhoneNumber, in E.164, required for DESK_PHONE; a PhoneConfig member and its per-channel counterpart
 * (AutoAcceptConfigs, AfterContactWorkConfigs, PhoneNumberConfigs) not both given.
 *
 * LIMITATIONS:
 * - Security profiles and hierarchy groups are not modeled: SecurityProfileIds and HierarchyGroupId are
 *   stored as given, unchecked. DirectoryUserId is stored.
 * - Only the VOICE entries of AutoAcceptConfigs, AfterContactWorkConfigs and PhoneNumberConfigs are used;
 *   PersistentConnection(Configs) and VoiceEnhancementConfigs are ignored.
 * - The password is kept only as a scrypt hash and SIP digest values; DescribeUser never returns it.
 */
import type { PhoneType, UserRecord } from '../../store/store.js';
import { InvalidParameterException } from '../errors.js';
import type { OperationHandler } from '../operation.js';
import { epochSeconds } from '../protocol.js';
import { finishPage, pageOf } from './pagination.js';

interface CreateUserWire {
  InstanceId: string;
  Username: string;
  Password?: string;
  IdentityInfo?: Record<string, string>;
  PhoneConfig?: { PhoneType?: PhoneType; AutoAccept?: boolean; AfterContactWorkTimeLimit?: number; DeskPhoneNumber?: string };
  DirectoryUserId?: string;
  SecurityProfileIds: string[];
  RoutingProfileId: string;
  HierarchyGroupId?: string;
  AutoAcceptConfigs?: { Channel: string; AutoAccept: boolean }[];
  AfterContactWorkConfigs?: { Channel: string; AfterContactWorkConfig: { AfterContactWorkTimeLimit?: number } }[];
  PhoneNumberConfigs?: { Channel: string; PhoneType: PhoneType; PhoneNumber?: string }[];
  Tags?: Record<string, string>;
}

export const createUser: OperationHandler = async (input, { services }) => {
  const i = input as unknown as CreateUserWire;
  const user = await services.users.createUser(i.InstanceId, {
    username: i.Username,
    ...(i.Password !== undefined && { password: i.Password }),
    ...(i.IdentityInfo !== undefined && { identityInfo: i.IdentityInfo }),
    phoneConfig: phoneConfigOf(i),
    routingProfileId: i.RoutingProfileId,
    securityProfileIds: i.SecurityProfileIds,
    ...(i.HierarchyGroupId !== undefined && { hierarchyGroupId: i.HierarchyGroupId }),
    ...(i.DirectoryUserId !== undefined && { directoryUserId: i.DirectoryUserId }),
    ...(i.Tags !== undefined && { tags: i.Tags }),
  });
  return { UserId: user.id, UserArn: user.arn };
};

export const describeUser: OperationHandler = async (input, { services, region }) => {
  const i = input as { InstanceId: string; UserId: string };
  const instance = await services.users.requireInstance(i.InstanceId);
  const u = await services.users.requireUser(instance.id, i.UserId);
  const phone = u.phoneConfig;
  return {
    User: {
      Id: u.id,
      Arn: u.arn,
      Username: u.username,
      IdentityInfo: u.identityInfo,
      PhoneConfig: {
        PhoneType: phone.phoneType,
        AutoAccept: phone.autoAccept,
        AfterContactWorkTimeLimit: phone.afterContactWorkTimeLimit,
        ...(phone.deskPhoneNumber !== null && { DeskPhoneNumber: phone.deskPhoneNumber }),
      },
      ...(u.directoryUserId !== null && { DirectoryUserId: u.directoryUserId }),
      SecurityProfileIds: u.securityProfileIds,
      RoutingProfileId: u.routingProfileId,
      ...(u.hierarchyGroupId !== null && { HierarchyGroupId: u.hierarchyGroupId }),
      Tags: u.tags,
      AutoAcceptConfigs: [{ Channel: 'VOICE', AutoAccept: phone.autoAccept }],
      AfterContactWorkConfigs: [{ Channel: 'VOICE', AfterContactWorkConfig: { AfterContactWorkTimeLimit: phone.afterContactWorkTimeLimit } }],
      PhoneNumberConfigs: [
        { Channel: 'VOICE', PhoneType: phone.phoneType, ...(phone.deskPhoneNumber !== null && { PhoneNumber: phone.deskPhoneNumber }) },
      ],
      LastModifiedTime: epochSeconds(u.lastModifiedAt),
      LastModifiedRegion: region,
    },
  };
};

export const listUsers: OperationHandler = async (input, { services, region }) => {
  const i = input as { InstanceId: string; NextToken?: string; MaxResults?: number };
  const page = pageOf(i, 1000);
  const { items, nextToken } = finishPage(await services.users.listUsers(i.InstanceId, page), page.size);
  return {
    UserSummaryList: items.map((u: UserRecord) => ({
      Id: u.id,
      Arn: u.arn,
      Username: u.username,
      LastModifiedTime: epochSeconds(u.lastModifiedAt),
      LastModifiedRegion: region,
    })),
    ...(nextToken !== undefined && { NextToken: nextToken }),
  };
};

export const deleteUser: OperationHandler = async (input, { services }) => {
  const i = input as { InstanceId: string; UserId: string };
  await services.users.deleteUser(i.InstanceId, i.UserId);
};

export const updateUserRoutingProfile: OperationHandler = async (input, { services }) => {
  const i = input as { InstanceId: string; UserId: string; RoutingProfileId: string };
  await services.users.updateUserRoutingProfile(i.InstanceId, i.UserId, i.RoutingProfileId);
};

/**
 * The voice phone settings from PhoneConfig and the VOICE entries of the per-channel configs, which
 * CreateUser documents as conflicting when both set the same setting.
 */
function phoneConfigOf(i: CreateUserWire): {
  phoneType?: PhoneType;
  autoAccept?: boolean;
  afterContactWorkTimeLimit?: number;
  deskPhoneNumber?: string;
} {
  const p = i.PhoneConfig ?? {};
  const voice = <T extends { Channel: string }>(list: T[] | undefined, name: string): T | undefined => {
    const entries = (list ?? []).filter((e) => e.Channel === 'VOICE');
    if (entries.length > 1) throw new InvalidParameterException(`${name} lists channel VOICE twice.`);
    return entries[0];
  };
  const autoAccept = voice(i.AutoAcceptConfigs, 'AutoAcceptConfigs');
  const acw = voice(i.AfterContactWorkConfigs, 'AfterContactWorkConfigs');
  const number = voice(i.PhoneNumberConfigs, 'PhoneNumberConfigs');
  const conflict = (a: string, b: string) => new InvalidParameterException(`PhoneConfig.${a} and ${b} cannot both be given.`);
  if (p.AutoAccept !== undefined && autoAccept !== undefined) throw conflict('AutoAccept', 'AutoAcceptConfigs');
  if (p.AfterContactWorkTimeLimit !== undefined && acw !== undefined) throw conflict('AfterContactWorkTimeLimit', 'AfterContactWorkConfigs');
  if ((p.PhoneType !== undefined || p.DeskPhoneNumber !== undefined) && number !== undefined) {
    throw conflict('PhoneType', 'PhoneNumberConfigs');
  }
  const phoneType = p.PhoneType ?? number?.PhoneType;
  const deskPhoneNumber = p.DeskPhoneNumber ?? number?.PhoneNumber;
  const autoAcceptValue = p.AutoAccept ?? autoAccept?.AutoAccept;
  const acwLimit = p.AfterContactWorkTimeLimit ?? acw?.AfterContactWorkConfig.AfterContactWorkTimeLimit;
  return {
    ...(phoneType !== undefined && { phoneType }),
    ...(deskPhoneNumber !== undefined && { deskPhoneNumber }),
    ...(autoAcceptValue !== undefined && { autoAccept: autoAcceptValue }),
    ...(acwLimit !== undefined && { afterContactWorkTimeLimit: acwLimit }),
  };
}
