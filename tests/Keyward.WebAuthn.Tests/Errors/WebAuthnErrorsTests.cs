namespace Keyward.WebAuthn.Tests.Errors;

/// <summary>
/// The error catalogue: every <see cref="WebAuthnErrorCode"/> has its stable snake_case code (pinned here: clients
/// and audit records depend on them, so a change must be deliberate) and a plain message; a failure's message adds
/// its detail, and a failed result refuses to give a value.
/// </summary>
public sealed class WebAuthnErrorsTests
{
    [Theory]
    [InlineData(WebAuthnErrorCode.MalformedResponse, "malformed_response")]
    [InlineData(WebAuthnErrorCode.MalformedCbor, "malformed_cbor")]
    [InlineData(WebAuthnErrorCode.MalformedAuthenticatorData, "malformed_authenticator_data")]
    [InlineData(WebAuthnErrorCode.MalformedClientData, "malformed_client_data")]
    [InlineData(WebAuthnErrorCode.CredentialTypeInvalid, "credential_type_invalid")]
    [InlineData(WebAuthnErrorCode.ClientDataTypeMismatch, "client_data_type_mismatch")]
    [InlineData(WebAuthnErrorCode.ChallengeMismatch, "challenge_mismatch")]
    [InlineData(WebAuthnErrorCode.OriginMismatch, "origin_mismatch")]
    [InlineData(WebAuthnErrorCode.CrossOriginNotAllowed, "cross_origin_not_allowed")]
    [InlineData(WebAuthnErrorCode.TokenBindingInvalid, "token_binding_invalid")]
    [InlineData(WebAuthnErrorCode.RpIdMismatch, "rp_id_mismatch")]
    [InlineData(WebAuthnErrorCode.UserPresenceMissing, "user_presence_missing")]
    [InlineData(WebAuthnErrorCode.UserVerificationMissing, "user_verification_missing")]
    [InlineData(WebAuthnErrorCode.BackupStateInvalid, "backup_state_invalid")]
    [InlineData(WebAuthnErrorCode.AlgorithmNotAllowed, "algorithm_not_allowed")]
    [InlineData(WebAuthnErrorCode.AlgorithmUnsupported, "algorithm_unsupported")]
    [InlineData(WebAuthnErrorCode.PublicKeyInvalid, "public_key_invalid")]
    [InlineData(WebAuthnErrorCode.CredentialIdTooLong, "credential_id_too_long")]
    [InlineData(WebAuthnErrorCode.CredentialIdMismatch, "credential_id_mismatch")]
    [InlineData(WebAuthnErrorCode.CredentialNotAllowed, "credential_not_allowed")]
    [InlineData(WebAuthnErrorCode.UserHandleMismatch, "user_handle_mismatch")]
    [InlineData(WebAuthnErrorCode.AttestedCredentialDataInvalid, "attested_credential_data_invalid")]
    [InlineData(WebAuthnErrorCode.SignatureInvalid, "signature_invalid")]
    [InlineData(WebAuthnErrorCode.SignCountRegressed, "sign_count_regressed")]
    [InlineData(WebAuthnErrorCode.AttestationFormatUnsupported, "attestation_format_unsupported")]
    [InlineData(WebAuthnErrorCode.AttestationInvalid, "attestation_invalid")]
    [InlineData(WebAuthnErrorCode.AttestationUntrusted, "attestation_untrusted")]
    [InlineData(WebAuthnErrorCode.AttestationFormatRefused, "attestation_format_refused")]
    [InlineData(WebAuthnErrorCode.ExtensionsInvalid, "extensions_invalid")]
    public void Code_EachError_IsItsPinnedCode(WebAuthnErrorCode error, string code)
    {
        Assert.Equal(code, WebAuthnErrors.Code(error));
        Assert.Equal(code, new WebAuthnFailure(error).Code);
    }

    [Fact]
    public void All_IsEveryErrorOnceWithDistinctCodes()
    {
        Assert.Equal(Enum.GetValues<WebAuthnErrorCode>().Order(), WebAuthnErrors.All.Order());
        Assert.Equal(WebAuthnErrors.All.Count(), WebAuthnErrors.All.Select(WebAuthnErrors.Code).Distinct().Count());
    }

    [Fact]
    public void Message_EachError_IsADistinctSentence()
    {
        foreach (var error in WebAuthnErrors.All)
        {
            var message = WebAuthnErrors.Message(error);
            Assert.True(message.Length > 20 && message.EndsWith('.'), $"{error}: \"{message}\"");
        }

        Assert.Equal(WebAuthnErrors.All.Count(), WebAuthnErrors.All.Select(WebAuthnErrors.Message).Distinct().Count());
    }

    [Fact]
    public void Failure_MessageAndToString_CarryTheDetailWhenThereIsOne()
    {
        var plain = new WebAuthnFailure(WebAuthnErrorCode.ChallengeMismatch);
        var detailed = new WebAuthnFailure(WebAuthnErrorCode.ChallengeMismatch, "which one");
        var message = WebAuthnErrors.Message(WebAuthnErrorCode.ChallengeMismatch);

        Assert.Equal(message, plain.Message);
        Assert.Equal($"{message} (which one)", detailed.Message);
        Assert.Equal($"challenge_mismatch: {message} (which one)", detailed.ToString());
    }

    [Fact]
    public void Result_Failed_ValueThrowsAndNamesTheCode()
    {
        var result = WebAuthnResult<int>.Fail(WebAuthnErrorCode.SignatureInvalid, "detail");

        Assert.False(result.Succeeded);
        Assert.Equal("detail", result.Failure.Detail);
        var thrown = Assert.Throws<InvalidOperationException>(() => result.Value);
        Assert.Contains("signature_invalid", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Result_Ok_HasTheValueAndNoFailure()
    {
        var result = WebAuthnResult<int>.Ok(7);

        Assert.True(result.Succeeded);
        Assert.Null(result.Failure);
        Assert.Equal(7, result.Value);
    }

    [Fact]
    public void Result_FromFailure_KeepsTheSameFailure()
    {
        var failure = new WebAuthnFailure(WebAuthnErrorCode.RpIdMismatch);

        WebAuthnResult<int> converted = failure;

        Assert.Same(failure, converted.Failure);
        Assert.Same(failure, WebAuthnResult<int>.Fail(failure).Failure);
    }
}
