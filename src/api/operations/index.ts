import type { ConnectService } from '../operation.js';
import { putUserStatus } from './agent-state.js';
import { listAgentStatuses } from './agent-statuses.js';
import { createContactFlow, describeContactFlow, listContactFlows, updateContactFlowContent } from './contact-flows.js';
import { getCurrentMetricData, getCurrentUserData } from './current-data.js';
import { describeContact } from './describe-contact.js';
import { getContactAttributes } from './get-contact-attributes.js';
import { createHoursOfOperation } from './hours-of-operation.js';
import { createInstance, describeInstance, listInstances, updateInstanceAttribute } from './instances.js';
import { claimPhoneNumber, listPhoneNumbers, listPhoneNumbersV2 } from './phone-numbers.js';
import { createQueue, describeQueue, listQueues } from './queues.js';
import { createRoutingProfile, describeRoutingProfile, listRoutingProfiles } from './routing-profiles.js';
import { searchContacts } from './search-contacts.js';
import { startOutboundVoiceContact } from './start-outbound-voice-contact.js';
import { stopContact } from './stop-contact.js';
import { updateContactAttributes } from './update-contact-attributes.js';
import { createUser, deleteUser, describeUser, listUsers, updateUserRoutingProfile } from './users.js';

/** Every operation outdial serves; the type makes a missing handler a compile error. */
export const handlers: ConnectService = {
  StartOutboundVoiceContact: startOutboundVoiceContact,
  DescribeContact: describeContact,
  StopContact: stopContact,
  GetContactAttributes: getContactAttributes,
  UpdateContactAttributes: updateContactAttributes,
  SearchContacts: searchContacts,
  CreateInstance: createInstance,
  DescribeInstance: describeInstance,
  ListInstances: listInstances,
  UpdateInstanceAttribute: updateInstanceAttribute,
  CreateHoursOfOperation: createHoursOfOperation,
  ClaimPhoneNumber: claimPhoneNumber,
  ListPhoneNumbers: listPhoneNumbers,
  ListPhoneNumbersV2: listPhoneNumbersV2,
  CreateContactFlow: createContactFlow,
  DescribeContactFlow: describeContactFlow,
  UpdateContactFlowContent: updateContactFlowContent,
  ListContactFlows: listContactFlows,
  CreateQueue: createQueue,
  DescribeQueue: describeQueue,
  ListQueues: listQueues,
  CreateRoutingProfile: createRoutingProfile,
  DescribeRoutingProfile: describeRoutingProfile,
  ListRoutingProfiles: listRoutingProfiles,
  CreateUser: createUser,
  DescribeUser: describeUser,
  ListUsers: listUsers,
  DeleteUser: deleteUser,
  UpdateUserRoutingProfile: updateUserRoutingProfile,
  ListAgentStatuses: listAgentStatuses,
  PutUserStatus: putUserStatus,
  GetCurrentUserData: getCurrentUserData,
  GetCurrentMetricData: getCurrentMetricData,
};
