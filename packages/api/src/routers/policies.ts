import { getPolicyVersion, listPolicies, listPoliciesInput, listPolicyVersions, listVersionsInput, policyById, policyDetail, policyIdInput, policyPage, policyVersionDetail, versionInput, versionPage } from "../actions/policies";
import { diffInput, diffPolicyVersions, policyDiff } from "../actions/policy-diff";
import { publishPolicy, saveDraft, writePolicyInput, writtenVersion } from "../actions/policy-publish";
import { replayInput, streamReplay } from "../actions/policy-replay";
import { modeChange, readShadowReport, setModeInput, setPolicyMode, shadowReport, shadowReportInput } from "../actions/policy-rollout";
import { simulateDraft, simulateInput, simulation } from "../actions/policy-simulate";
import { adminProcedure, createTRPCRouter, sectionProcedure } from "../trpc";

export const policiesRouter = createTRPCRouter({
  list: sectionProcedure("policies").input(listPoliciesInput).output(policyPage).query(listPolicies),
  byId: sectionProcedure("policies").input(policyIdInput).output(policyDetail).query(policyById),
  versions: sectionProcedure("policies").input(listVersionsInput).output(versionPage).query(listPolicyVersions),
  version: sectionProcedure("policies").input(versionInput).output(policyVersionDetail).query(getPolicyVersion),
  diff: sectionProcedure("policies").input(diffInput).output(policyDiff).query(diffPolicyVersions),
  shadow: sectionProcedure("policies").input(shadowReportInput).output(shadowReport).query(readShadowReport),
  // Mutations, though they change nothing: a draft travels in the body, not in a URL.
  simulate: adminProcedure.input(simulateInput).output(simulation).mutation(simulateDraft),
  replay: adminProcedure.input(replayInput).subscription(streamReplay),
  saveDraft: adminProcedure.input(writePolicyInput).output(writtenVersion).mutation(saveDraft),
  publish: adminProcedure.input(writePolicyInput).output(writtenVersion).mutation(publishPolicy),
  setMode: adminProcedure.input(setModeInput).output(modeChange).mutation(setPolicyMode),
});
