/**
 * StartOutboundVoiceContact: `PUT /contact/outbound-voice`. Returns the ContactId at once; the call is
 * dialed after the contact is committed.
 *
 * LIMITATIONS:
 * - OutboundStrategy is accepted with TrafficType CAMPAIGN and shown by DescribeContact; preview dialing
 *   (agent first) arrives with agents.
 * - Throttled calls get TooManyRequestsException (429), as Connect answers them, though SOVC does not model it.
 */
import type { OperationHandler } from '../operation.js';
import type { TrafficType } from '../../store/store.js';

interface Input {
  DestinationPhoneNumber: string;
  ContactFlowId: string;
  InstanceId: string;
  ClientToken?: string;
  SourcePhoneNumber?: string;
  QueueId?: string;
  Attributes?: Record<string, string>;
  AnswerMachineDetectionConfig?: { EnableAnswerMachineDetection?: boolean; AwaitAnswerMachinePrompt?: boolean };
  CampaignId?: string;
  TrafficType?: TrafficType;
  RingTimeoutInSeconds?: number;
  Name?: string;
  Description?: string;
  References?: Record<string, unknown>;
  RelatedContactId?: string;
  OutboundStrategy?: Record<string, unknown>;
}

export const startOutboundVoiceContact: OperationHandler = async (input, { services }) => {
  const i = input as unknown as Input;
  const amd = i.AnswerMachineDetectionConfig;
  const { contactId } = await services.contacts.startOutboundVoiceContact({
    instanceId: i.InstanceId,
    contactFlowId: i.ContactFlowId,
    destinationPhoneNumber: i.DestinationPhoneNumber,
    ...(i.SourcePhoneNumber !== undefined && { sourcePhoneNumber: i.SourcePhoneNumber }),
    ...(i.QueueId !== undefined && { queueId: i.QueueId }),
    ...(i.ClientToken !== undefined && { clientToken: i.ClientToken }),
    ...(i.Attributes !== undefined && { attributes: i.Attributes }),
    ...(amd !== undefined && {
      answerMachineDetection: {
        ...(amd.EnableAnswerMachineDetection !== undefined && { enabled: amd.EnableAnswerMachineDetection }),
        ...(amd.AwaitAnswerMachinePrompt !== undefined && { awaitPrompt: amd.AwaitAnswerMachinePrompt }),
      },
    }),
    ...(i.CampaignId !== undefined && { campaignId: i.CampaignId }),
    ...(i.TrafficType !== undefined && { trafficType: i.TrafficType }),
    ...(i.RingTimeoutInSeconds !== undefined && { ringTimeoutInSeconds: i.RingTimeoutInSeconds }),
    ...(i.Name !== undefined && { name: i.Name }),
    ...(i.Description !== undefined && { description: i.Description }),
    ...(i.References !== undefined && { references: i.References }),
    ...(i.RelatedContactId !== undefined && { relatedContactId: i.RelatedContactId }),
    ...(i.OutboundStrategy !== undefined && { outboundStrategy: i.OutboundStrategy }),
  });
  return { ContactId: contactId };
};
