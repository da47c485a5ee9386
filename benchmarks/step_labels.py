"""Generic, project-written wording for the agent actions of the STAR and ABCD dev dialogues.

Each action label gets example phrasings written from the label's meaning alone (never from the
dialogues being scored, nor from the datasets' own reply templates), as a trainer would write a
scenario step's ``say_like``.  ``benchmarks/scoring_validity.py`` builds in-memory scenarios from
these and checks which agent turns the semantic analyser maps to which step.
"""

from __future__ import annotations

COMMON = {
    "hello": ["Hello, thanks for getting in touch, what do you need?", "Hi there, what can I do for you today?",
              "Good morning, how may I assist you?"],
    "ask_name": ["Who am I speaking with?", "Could I get your full name first?", "Can you tell me your name?",
                 "What name is it under, please?"],
    "anything_else": ["Anything else I can do for you today?", "Is there any other way I can help you?",
                      "Can I help you with anything more today?", "Is there something else you need?"],
    "goodbye_1": ["Thank you, goodbye.", "Thanks for calling, have a good day, bye.", "Take care, goodbye."],
    "goodbye_2": ["Goodbye and thanks.", "Bye now, thank you for getting in touch.", "Have a nice day, goodbye."],
    "out_of_scope": ["Sorry, I do not understand, I can only help with this kind of request.",
                     "Sorry, I can't help with that request, it's outside what I can do.",
                     "I'm afraid that isn't something I'm able to handle here."],
}

TASKS = {
    "bank": {
        "bank_ask_account_number": ["What is your bank account number?", "Please give me the number of your account."],
        "bank_ask_pin": ["I also need your PIN code.", "Please tell me your secret PIN number."],
        "bank_ask_dob": ["When were you born?", "Please confirm your birth date."],
        "bank_ask_mothers_maiden_name": ["What is your mother's surname before she married?",
                                         "Please tell me your mum's maiden name."],
        "bank_ask_childhood_pets_name": ["What was your first pet called when you were young?",
                                         "Tell me the name of your childhood pet."],
        "bank_inform_cannot_authenticate": ["I'm afraid I can't verify your identity with those details.",
                                            "Those security answers don't match, so I can't let you in."],
        "bank_ask_fraud_details": ["Can you explain what fraudulent activity you noticed?",
                                   "Please describe the suspicious transactions in detail.",
                                   "Tell me what happened with the fraud on your account."],
        "bank_inform_fraud_report_submitted": ["Your report has gone through and we will look into it soon.",
                                               "I've filed your fraud report and the team will investigate.",
                                               "The fraud report is submitted, we will be in touch."],
        "bank_inform_balance": ["There is money in credit on your account, the balance is shown here.",
                                "You currently have this amount in your account.", "Your account balance is 500."],
        "bank_inform_nothing_found": ["I couldn't find any account with those details.",
                                      "There's no record of that account."],
        "bank_bye": ["Thank you for banking with us, goodbye.", "Bye, have a good day."],
    },
    "ride": {
        "ride_ask_booking_number": ["What's the reference number of your ride booking?",
                                    "Please give me your booking number."],
        "ride_ask_change": ["What would you like to change about your ride?",
                            "Which details of the trip should I update?"],
        "ride_inform_changes_successful": ["I have changed your booking for you, it is all updated.",
                                           "Your ride has been updated as requested.",
                                           "The changes to your booking are done."],
        "ride_inform_changes_failed": ["I couldn't make that change to your ride.",
                                       "Updating the booking didn't work, sorry."],
        "ride_provide_booking_status": ["Your taxi will arrive in a few minutes.",
                                        "The driver is on the way and will be there shortly."],
        "ride_provide_booking_status_update": ["It'll be about ten more minutes.",
                                               "The driver is now five minutes away."],
        "ride_inform_nothing_found": ["I can't find any ride matching that.",
                                      "There are no cars available for that search."],
        "ride_ask_destination": ["Where would you like to be taken?", "What's your destination?"],
        "ride_ask_departure": ["Where are you starting your journey from?", "Where should the driver pick you up?",
                               "What is your pickup location?"],
        "ride_ask_confirm_booking": ["I found a car for you, shall I go ahead and book it?",
                                    "There's a ride available at this price, do you want it?"],
        "ride_confirm_booking": ["Your ride is booked, here is the licence plate and booking number.",
                                 "All set, the car is reserved for you."],
        "ride_provide_driver_details": ["Your driver's name is Sam.", "The person driving you will be Alex."],
        "ride_inform_search_criteria": ["I can also search by driver, car model or company.",
                                        "You can filter the rides by provider or vehicle type."],
        "ride_bye": ["Goodbye, enjoy the ride.", "Enjoy your trip, bye!", "Have a safe journey, goodbye."],
    },
    "hotel": {
        "hotel_ask_hotel": ["Which hotel is it?", "What's the name of the hotel?"],
        "hotel_ask_room_number": ["What's your room number?", "Which room are you in?"],
        "hotel_ask_service_request": ["Tell me what you would like to request from the hotel.",
                                      "What service would you like us to provide?",
                                      "What do you need sent to your room?"],
        "hotel_ask_time": ["When would you like the service?", "What time should we come to your room?"],
        "hotel_inform_service_request_successful": ["Your request went through and staff will be at your room soon.",
                                                    "Your room service request is placed and staff will come by.",
                                                    "Done, someone will bring it to your room at that time."],
        "hotel_inform_service_request_failed": ["We can't fulfil that room service request right now.",
                                                "Unfortunately the service request didn't go through."],
        "hotel_inform_nothing_found": ["I can't find any matching hotel or service.",
                                       "Nothing matches what you asked for."],
        "hotel_ask_date_from": ["What's your check-in date?", "Which day will you arrive at the hotel?"],
        "hotel_ask_date_to": ["What's your check-out date?", "How long will you stay, until which day?"],
        "hotel_ask_customer_request": ["Any special requirements for your stay?",
                                       "Is there anything the hotel should know, like extra pillows?"],
        "hotel_unavailable": ["There are no rooms free at that hotel for those dates.",
                              "That hotel is fully booked then."],
        "hotel_ask_confirm_booking": ["The hotel has a room that suits you, shall I reserve it?",
                                      "I found a room matching everything, do you want me to book it?"],
        "hotel_reservation_succeeded": ["Your hotel room is booked.", "The reservation is complete."],
        "hotel_reservation_failed": ["The booking didn't go through, sorry.",
                                     "I couldn't complete the room reservation."],
    },
    "doctor": {
        "doctor_ask_doctor_name": ["Which doctor do you normally see?", "What's the name of your physician?"],
        "doctor_inform_doctors_instructions": ["Your doctor wants you to follow these steps.",
                                               "The doctor says you should rest and take the medicine twice a day.",
                                               "Here are the instructions your doctor left for you."],
        "doctor_inform_nothing_found": ["There's no doctor available right now.",
                                        "I can't find that doctor in the system."],
        "doctor_ask_day": ["Which day would you like the appointment?", "What day suits you to see the doctor?"],
        "doctor_ask_start_time": ["What time can you come in?", "At what time would you like the appointment?"],
        "doctor_ask_symptoms": ["What symptoms are you having?", "Can you tell me what's wrong and how you feel?"],
        "doctor_inform_booking_unavailable": ["The doctor has no free slot at that time.",
                                              "That appointment time isn't available."],
        "doctor_inform_booking_available": ["That doctor has a free slot at that time, would you like me to book it?",
                                            "The doctor is free at that time, shall I book it?",
                                            "There's an opening then, would you like it?"],
        "doctor_inform_booking_successful": ["Your appointment with the doctor is booked.",
                                             "You're all booked in to see the doctor."],
        "doctor_bye": ["Thank you, goodbye.", "Get well soon, goodbye.", "Thanks, bye."],
    },
    "plane": {
        "plane_ask_flight_id": ["What's the flight number?", "Which flight ID would you like?"],
        "plane_flight_available": ["That flight has seats, do you want me to reserve it?",
                                   "The flight is available to book."],
        "plane_flight_unavailable": ["That flight can no longer be booked, it is unavailable.",
                                     "That flight is no longer available.",
                                     "Sorry, you can't book that flight any more."],
        "plane_reservation_succeeded": ["Your flight is booked.", "The seat on the plane is reserved for you."],
        "plane_reservation_failed": ["The flight reservation failed.", "I couldn't book the flight."],
        "plane_inform_nothing_found": ["There are no flights matching your search.",
                                       "I can't find any flights like that."],
    },
    "restaurant": {
        "restaurant_ask_restaurant": ["Which restaurant would you like to book?", "Where would you like to eat?"],
        "restaurant_ask_time": ["What time should I reserve the table for?", "What time would you like the table?",
                                "When should I book the table for?"],
        "restaurant_ask_size": ["How many people is the table for?", "What size is your party?"],
        "restaurant_inform_unavailable": ["The restaurant can't fit you in then.",
                                          "There are no tables available at that restaurant."],
        "restaurant_ask_confirm_booking": ["The restaurant has space for you, shall I confirm the table?",
                                           "They can take you, do you want me to book it?"],
        "restaurant_inform_booking_successful": ["Your table is booked.", "The restaurant reservation is confirmed."],
        "restaurant_inform_booking_failed": ["The table booking didn't work.", "I couldn't reserve the restaurant."],
        "restaurant_inform_nothing_found": ["No restaurants match that.", "I can't find a restaurant like that."],
    },
    "apartment": {
        "apartment_ask_apartment_name": ["Which apartment would you like to see?", "Which flat would you like to view?",
                                         "What's the name of the property?"],
        "apartment_ask_day": ["Which day would you like to see the flat?", "What day works for the viewing?"],
        "apartment_ask_start_time": ["What time should the viewing be?", "At what time do you want to see it?"],
        "apartment_ask_application_fee_paid": ["Have you paid the application fee yet?",
                                               "Is the rental application fee already paid?"],
        "apartment_ask_custom_message": ["Do you want to leave a note for the landlord or agent?",
                                         "Any message you'd like me to pass to the letting agent?"],
        "apartment_inform_viewing_unavailable": ["There's no viewing slot at that time.",
                                                 "That viewing time is taken."],
        "apartment_inform_viewing_available": ["A viewing is free at that time, shall I book it?",
                                               "That time is open for a viewing."],
        "apartment_inform_booking_successful": ["Your viewing is booked.", "The flat viewing is arranged."],
        "apartment_inform_nothing_found": ["No properties match that.", "I can't find that apartment."],
    },
    "meeting": {
        "meeting_ask_guest_name": ["Who is the meeting with?", "Who would you like to meet?"],
        "meeting_ask_day": ["Which day should the meeting be on?", "What date do you want to meet?"],
        "meeting_ask_start_time": ["What time does the meeting start?", "When should the meeting begin?"],
        "meeting_ask_end_time": ["When will the meeting finish?", "What time should it end?"],
        "meeting_ask_reason": ["What is the meeting about?", "Do you want to add a purpose for the meeting?"],
        "meeting_inform_confirmed": ["Great, the meeting is set up for that day and time.",
                                     "Your meeting is scheduled.", "The meeting has been booked in the calendar."],
        "meeting_inform_unavailable_ask_different_time": [
            "They aren't free then, would another time work?",
            "That slot doesn't work for them, can we try a different day?",
        ],
        "meeting_inform_nothing_found": ["I can't find anyone by that name.", "That person isn't in our directory."],
    },
    "party": {
        "party_ask_venue": ["Where is the party being held?", "What's the venue?"],
        "party_ask_host": ["Who is hosting the party?", "What's the host's name?"],
        "party_ask_arrival_time": ["What time will you get to the party?", "When do you expect to arrive?"],
        "party_ask_number_of_guests": ["How many people are you bringing?", "How many guests will come with you?"],
        "party_ask_parking_needed": ["Will you need a parking space?", "Do you need somewhere to park?"],
        "party_ask_dietary_restrictions": ["Do you have any food allergies or dietary needs?",
                                           "Is there anything you can't eat?"],
        "party_confirm_rsvp": ["Your RSVP is confirmed.", "You're on the guest list."],
        "party_inform_nothing_found": ["I can't find that party.", "No party matches those details."],
        "party_bye": ["Thank you, goodbye.", "Enjoy the party, goodbye.", "Have fun, bye."],
    },
    # ABCD (customer-service agent console actions).
    "abcd": {
        "pull-up-account": ["Your account is up on my screen now.", "I've opened your account.",
                            "Let me bring up your customer account."],
        "verify-identity": ["Checking your identity now.", "Your identity is now confirmed.",
                            "I've verified who you are."],
        "ask-the-oracle": ["Searching the system for the answer.", "Let me check the system for an answer.",
                           "I'm looking that up in our system."],
        "update-order": ["I've updated your order.", "Your order details are changed now."],
        "subscription-status": ["Let me check the status of your subscription.",
                                "Your membership is active until next month."],
        "send-link": ["I've sent you a link by email.", "You'll get a link to do that yourself."],
        "search-faq": ["Let me look in our help articles.", "I'm searching the FAQ."],
        "search-membership": ["Let me look up the membership levels.", "Checking what your membership includes."],
        "search-timing": ["Let me check how long that takes.", "I'm looking up the timing for that."],
        "search-pricing": ["Let me check the prices.", "I'm looking up how much that costs."],
        "search-policy": ["Let me check our policy on that.", "I'm looking up the rules for that."],
        "select-faq": ["I picked the help article that answers this.", "Here's the answer from our help pages.",
                       "I found the answer to your question."],
        "enter-details": ["I've entered your details.", "I'm typing in your information."],
        "record-reason": ["I've noted the reason.", "Let me record why you're contacting us."],
        "validate-purchase": ["I've confirmed that purchase.", "Your purchase checks out."],
        "offer-refund": ["I can give you a refund.", "We'll refund that amount."],
        "make-password": ["I've made you a new password.", "Here is a new temporary password."],
        "notify-team": ["I've passed this to the team.", "I'll let the relevant team know."],
        "membership": ["As a gold member you get that for free.", "Your membership level allows this."],
        "shipping-status": ["Let me check where your package is.", "Your order is on its way."],
        "log-out-in": ["Please log out and log back in.", "Try signing out and signing in again."],
        "instructions": ["Here are the steps to follow.", "Follow these instructions."],
        "try-again": ["Please try that again.", "Could you give it another go?"],
        "search-boots": ["Let me look at our boots.", "Searching the boots catalogue."],
        "search-jeans": ["Let me look at our jeans.", "Searching the jeans catalogue."],
        "search-shirt": ["Let me look at our shirts.", "Searching the shirts catalogue."],
        "search-jacket": ["Let me look at our jackets.", "Searching the jackets catalogue."],
        "promo-code": ["Here is a promo code for a discount.", "I can give you a discount code."],
        "update-account": ["I've updated your account details.", "Your account information is changed."],
        "make-purchase": ["I've placed the order for you.", "The purchase is made."],
    },
}


def domain_of(task: str, source: str) -> str:
    if source.startswith("asappresearch"):
        return "abcd"
    return task.split("_", 1)[0]


# Labels that name the same action in different STAR task versions: one step for scoring.
SAME_ACTION = {"goodbye_1": "goodbye", "goodbye_2": "goodbye", "ride_bye": "goodbye", "bank_bye": "goodbye",
               "doctor_bye": "goodbye", "party_bye": "goodbye"}


def describe(label: str) -> str:
    """The label itself in words ("bank_ask_pin" -> "bank ask pin"): the most generic description."""
    return label.replace("_", " ").replace("-", " ")


def steps_for(task: str, source: str) -> dict[str, list[str]]:
    """The action steps (label -> say_like) a trainee could take in this task; each step's
    say_like is its written examples plus the label in words."""
    steps = {**COMMON, **TASKS.get(domain_of(task, source), {})}
    return {label: [*examples, describe(label)] for label, examples in steps.items()}
