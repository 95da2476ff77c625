// A grey heron wading in pale blue water beside green reeds, watercolour washes with ink beak and legs.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f4f0e6');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // soft sky wash at the top
  brush.fillBleed(0.35);
  brush.fillTexture(0.5, 0.2);
  brush.fill('#dbe7ec', 140);
  brush.rect(-256, -256, 512, 200);
  // water bands
  brush.fill('#8fbcd0', 190);
  brush.rect(-256, 110, 512, 146);
  brush.fill('#5a8fae', 160);
  brush.polygon([[-256, 175], [256, 160], [256, 256], [-256, 256]]);

  // reeds as ink-and-wash strokes
  brush.noFill();
  brush.set('marker', '#6f8c4a', 2.2);
  brush.spline([[140, 150], [150, 40], [165, -80]], 0.5);
  brush.spline([[170, 150], [180, 30], [205, -40]], 0.5);
  brush.spline([[195, 150], [200, 60], [225, 10]], 0.5);
  brush.set('marker', '#4e6b35', 1.6);
  brush.spline([[-200, 150], [-205, 60], [-220, -10]], 0.5);
  brush.spline([[-180, 150], [-178, 80], [-165, 30]], 0.5);
  brush.noStroke();

  // body
  brush.fillBleed(0.15);
  brush.fillTexture(0.45, 0.4);
  brush.fill('#97a3ae', 220);
  brush.beginShape(0.7);
  brush.vertex(-110, 10);
  brush.vertex(-40, -35);
  brush.vertex(40, -25);
  brush.vertex(55, 15);
  brush.vertex(-10, 45);
  brush.vertex(-150, 40);
  brush.endShape(true);
  // dark wing
  brush.fill('#4f5d6c', 210);
  brush.beginShape(0.6);
  brush.vertex(-120, 15);
  brush.vertex(-40, -20);
  brush.vertex(20, 5);
  brush.vertex(-40, 35);
  brush.vertex(-170, 45);
  brush.endShape(true);
  // neck S-curve, outlined in graphite
  brush.set('HB', '#3a4450', 1.2);
  brush.fill('#b4bec7', 230);
  brush.beginShape(0.8);
  brush.vertex(25, -20);
  brush.vertex(60, -80);
  brush.vertex(40, -130);
  brush.vertex(62, -168);
  brush.vertex(78, -160);
  brush.vertex(62, -128);
  brush.vertex(82, -80);
  brush.vertex(50, 0);
  brush.endShape(true);
  brush.fill('#c3ccd4', 230);
  brush.circle(72, -168, 14);
  brush.noStroke();
  // black crest plume
  brush.fill('#262c36', 220);
  brush.polygon([[66, -176], [22, -186], [64, -168]]);

  // beak, legs, eye in ink
  brush.noFill();
  brush.set('marker', '#d19a2a', 2.2);
  brush.line(84, -170, 138, -160);
  brush.set('2B', '#2a2e33', 2.4);
  brush.line(-20, 40, -28, 160);
  brush.line(0, 40, 22, 158);
  brush.set('marker', '#1e2328', 1.5);
  brush.circle(77, -171, 1.5);
  // ripples
  brush.set('2B', '#2f5f7e', 1.6);
  brush.line(-70, 165, 30, 163);
  brush.line(-20, 180, 80, 178);
}
