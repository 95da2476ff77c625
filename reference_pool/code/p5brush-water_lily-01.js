// A pink water lily seen from the side, resting on a notched pad in teal water among other lily pads, soft ripple lines.
function pad(x, y, r, notch, col, op) {
  const pts = [[x, y]];
  for (let a = notch + 18; a <= notch + 342; a += 18) pts.push([x + cos(a) * r, y + sin(a) * r * 0.45]);
  brush.fill(col, op);
  brush.polygon(pts);
}

function lpetal(a, len, w, col, op) {
  push();
  rotate(a);
  brush.fill(col, op);
  brush.beginShape(0.5);
  brush.vertex(0, 0);
  brush.vertex(-w * 0.5, -len * 0.5);
  brush.vertex(0, -len);
  brush.vertex(w * 0.5, -len * 0.5);
  brush.endShape(true);
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#e9efe9');
  brush.noStroke();
  // water
  brush.fillBleed(0.35);
  brush.fillTexture(0.5, 0.3);
  brush.fill('#2f7f7a', 170);
  brush.rect(-270, -270, 540, 540);
  brush.fill('#1f5f66', 140);
  brush.rect(-270, -40, 540, 320);

  // pads
  brush.fillBleed(0.2);
  brush.fillTexture(0.45, 0.5);
  pad(-150, 120, 110, 30, '#4f8f44', 215);
  pad(160, 170, 120, 200, '#3f7a3c', 215);
  pad(140, -110, 80, 120, '#6aa356', 200);
  pad(-170, -150, 60, 300, '#6aa356', 190);
  pad(10, 95, 140, 250, '#4f8f44', 225);

  // ripples
  brush.noFill();
  brush.set('2H', '#d8ece6', 0.8);
  for (let i = 0; i < 5; i++) {
    const y = random(-230, 240);
    const x = random(-220, 160);
    brush.line(x, y, x + random(40, 90), y);
  }

  // flower seen from the side: tall back petals fanning up, shorter ones spreading, small front petals
  push();
  translate(10, 75);
  brush.set('HB', '#b5487a', 0.5);
  brush.fillBleed(0.2);
  brush.fillTexture(0.5, 0.55);
  for (let i = 0; i < 7; i++) lpetal(-75 + i * 25, 115, 46, '#f2a0bb', 220);
  for (let i = 0; i < 4; i++) lpetal(-95 + i * 63, 95, 44, '#e97fa3', 220);
  for (let i = 0; i < 4; i++) lpetal(-40 + i * 27, 100, 42, '#f5b3c8', 225);
  brush.noStroke();
  brush.fill('#f2c230', 240);
  brush.polygon([[-26, -10], [26, -10], [16, -30], [-16, -30]]);
  // flat cup of petals lying on the pad
  brush.set('HB', '#b5487a', 0.5);
  brush.fill('#e97fa3', 210);
  brush.beginShape(0.6);
  brush.vertex(-70, -12); brush.vertex(-40, 12); brush.vertex(0, 18); brush.vertex(40, 12); brush.vertex(70, -12);
  brush.vertex(0, -2);
  brush.endShape(true);
  pop();
  // reflection strokes under the flower
  brush.noFill();
  brush.set('2H', '#e7a3bc', 0.8);
  brush.line(-60, 110, 80, 110);
  brush.line(-40, 122, 50, 122);
}
